using Fog.Attestation.Evidence;

namespace Fog.Enclaves.View;

/// <summary>Creates view enclaves.</summary>
public static class ViewEnclaveFactory
{
    /// <summary>The enclave name its measurement covers (see <see cref="EnclaveAssembly"/>).</summary>
    public const string EnclaveName = "view";

    /// <summary>
    /// Creates a view enclave: a fresh Noise static key, an attested responder whose evidence comes from
    /// <paramref name="provider"/>, and an empty oblivious map of the configured capacity.
    /// </summary>
    /// <param name="provider">Produces the enclave's attestation evidence (its identity should be the view product).</param>
    /// <param name="responderId">The responder id clients use as the Noise prologue (usually the public host:port).</param>
    /// <param name="options">Capacity, query and session limits, map storage.</param>
    public static IViewEnclave Create(IAttestationProvider provider, string responderId, ViewEnclaveOptions options)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(responderId);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new ViewEnclave(provider, responderId, options);
    }
}
