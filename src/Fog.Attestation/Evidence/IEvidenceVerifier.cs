using System.Diagnostics.CodeAnalysis;

namespace Fog.Attestation.Evidence;

/// <summary>Checks attestation evidence received in a handshake against a policy.</summary>
public interface IEvidenceVerifier
{
    /// <summary>
    /// Verifies <paramref name="evidence"/> and that it is bound to <paramref name="remoteStaticPublicKey"/>,
    /// the key the Noise handshake authenticated.
    /// </summary>
    /// <returns>False, with a typed error, when anything is wrong; never throws for bad evidence.</returns>
    bool TryVerify(
        ReadOnlySpan<byte> evidence,
        ReadOnlySpan<byte> remoteStaticPublicKey,
        [NotNullWhen(true)] out VerifiedEvidence? verified,
        [NotNullWhen(false)] out AttestError? error);
}

/// <summary>Evidence that passed verification.</summary>
/// <param name="Identity">The enclave's identity.</param>
/// <param name="CustomIdentity">The custom identity it binds (e.g. the ingress public key); empty if none.</param>
/// <param name="IsSimulation">True for simulated evidence.</param>
public sealed record VerifiedEvidence(EnclaveIdentity Identity, byte[] CustomIdentity, bool IsSimulation)
{
    /// <inheritdoc />
    public override string ToString() => $"{(IsSimulation ? "SIMULATED " : string.Empty)}{Identity}";
}
