namespace Fog.Attestation.Evidence;

/// <summary>
/// Configuration of what a client (or a peer enclave) accepts as a genuine enclave. Bind it from
/// configuration (e.g. a section <c>Attestation</c> with <c>FOG_</c> environment overrides) and turn it
/// into an <see cref="AttestationPolicy"/> with <see cref="AttestationPolicy.FromOptions"/>, which
/// validates it. Nothing is accepted by default.
/// </summary>
public sealed class AttestationPolicyOptions
{
    /// <summary>
    /// Measurements (64 hexadecimal digits each) the enclave may have; at least one is required.
    /// <c>fog enclave measure</c> prints the measurements of a build. Default: none.
    /// </summary>
    public IList<string> AcceptedMeasurements { get; set; } = [];

    /// <summary>Signer ids (64 hexadecimal digits each) the enclave may have; empty accepts any signer. Default: empty.</summary>
    public IList<string> AcceptedSignerIds { get; set; } = [];

    /// <summary>The product id the enclave must have (Consensus, Ledger, View or Ingest); required. Default: unset.</summary>
    public EnclaveProductId? ProductId { get; set; }

    /// <summary>The lowest security version accepted. Default: 0.</summary>
    public ushort MinimumSecurityVersion { get; set; }

    /// <summary>Whether debug enclaves (whose memory a debugger can read) are accepted. Default: false.</summary>
    public bool AllowDebug { get; set; }

    /// <summary>
    /// Ed25519 public keys (64 hexadecimal digits each) of the simulation roots whose evidence is
    /// accepted. Empty means simulated evidence is refused. Simulated evidence protects against nothing
    /// a host administrator can do: list a root only for development and test deployments. Default: empty.
    /// </summary>
    public IList<string> TrustedSimulationRoots { get; set; } = [];
}
