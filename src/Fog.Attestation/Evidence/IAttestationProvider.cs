namespace Fog.Attestation.Evidence;

/// <summary>
/// Produces attestation evidence for an enclave. Fog ships a simulated provider
/// (<see cref="SimulatedQuotingProvider"/>); a hardware TEE (SGX through a library OS, SEV-SNP or TDX
/// reports) would be another implementation, with a matching <see cref="IEvidenceVerifier"/>.
/// </summary>
public interface IAttestationProvider
{
    /// <summary>
    /// True when the evidence is simulated and protects against nothing a host administrator can do.
    /// Hosts print a warning at start-up when this is set.
    /// </summary>
    bool IsSimulation { get; }

    /// <summary>The identity the evidence states.</summary>
    EnclaveIdentity Identity { get; }

    /// <summary>
    /// Creates evidence binding the enclave's identity to its Noise static public key and custom
    /// identity; the result is the handshake payload (an encoded <c>attest.FogEvidenceEnvelope</c>).
    /// </summary>
    /// <param name="noiseStaticPublicKey">The enclave's 32-byte X25519 static public key.</param>
    /// <param name="customIdentity">32 bytes, or empty for none.</param>
    byte[] CreateEvidence(ReadOnlySpan<byte> noiseStaticPublicKey, ReadOnlySpan<byte> customIdentity);
}
