using Fog.Attestation.Evidence;

namespace Fog.Enclaves.KeyImage;

/// <summary>Creates key-image (fog ledger) enclaves.</summary>
public static class KeyImageEnclaveFactory
{
    /// <summary>The enclave name its measurement covers (see <see cref="EnclaveAssembly"/>): the reference calls it the ledger enclave.</summary>
    public const string EnclaveName = "ledger";

    /// <summary>
    /// Creates a key-image enclave: a fresh Noise static key, an attested responder whose evidence comes from
    /// <paramref name="provider"/>, and an empty oblivious map of the configured capacity.
    /// </summary>
    /// <param name="provider">Produces the enclave's attestation evidence (its identity should be the ledger product).</param>
    /// <param name="responderId">The responder id clients use as the Noise prologue (usually the public host:port).</param>
    /// <param name="options">Capacity, query and session limits, map storage.</param>
    public static IKeyImageEnclave Create(IAttestationProvider provider, string responderId, KeyImageEnclaveOptions options)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(responderId);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new KeyImageEnclave(provider, responderId, options);
    }
}
