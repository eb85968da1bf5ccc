namespace Fog.Attestation.Evidence;

/// <summary>What attestation evidence says about an enclave.</summary>
/// <param name="Measurement">The hash of the enclave's code identity.</param>
/// <param name="SignerId">Who built and signed it.</param>
/// <param name="ProductId">Which enclave it is.</param>
/// <param name="SecurityVersion">Its security version; raised when a vulnerability is fixed.</param>
/// <param name="Debug">True when it runs in a debuggable configuration (its memory is inspectable).</param>
public sealed record EnclaveIdentity(
    EnclaveMeasurement Measurement,
    EnclaveSignerId SignerId,
    EnclaveProductId ProductId,
    ushort SecurityVersion,
    bool Debug)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{ProductId} enclave (measurement {Measurement.ToHex()[..16]}…, signer {SignerId.ToHex()[..16]}…, security version {SecurityVersion}{(Debug ? ", DEBUG" : string.Empty)})";
}
