namespace Fog.Attestation.Evidence;

/// <summary>Product ids of the enclaves (as the reference assigns them; DESIGN §7.3).</summary>
public enum EnclaveProductId : ushort
{
    /// <summary>The consensus (dev node) enclave.</summary>
    Consensus = 1,

    /// <summary>The fog ledger (key image) enclave.</summary>
    Ledger = 2,

    /// <summary>The fog view enclave.</summary>
    View = 3,

    /// <summary>The fog ingest enclave.</summary>
    Ingest = 4,
}
