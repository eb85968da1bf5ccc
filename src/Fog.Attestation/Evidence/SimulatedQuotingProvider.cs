using System.Security.Cryptography;
using Fog.Api.Attest;
using Fog.Api.External;
using Google.Protobuf;

namespace Fog.Attestation.Evidence;

/// <summary>
/// Produces simulated evidence: a <c>FogSimulatedQuote</c> stating the enclave's identity and report
/// data, signed by a <see cref="SimulatedQuotingKey"/> that a <see cref="SimulationRoot"/> endorsed.
/// </summary>
/// <remarks>
/// SIMULATION ONLY. The evidence labels itself as simulated (<c>tee = "simulation"</c>) and proves
/// nothing against whoever controls the host; a verifier accepts it only if its policy trusts the root.
/// </remarks>
public sealed class SimulatedQuotingProvider : IAttestationProvider
{
    /// <summary>The value of <c>FogSimulatedQuote.tee</c>.</summary>
    public const string TeeName = "simulation";

    private readonly SimulatedQuotingKey _quotingKey;

    /// <summary>Creates a provider; the quoting key is borrowed and must outlive it.</summary>
    public SimulatedQuotingProvider(SimulatedQuotingKey quotingKey, EnclaveIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(quotingKey);
        ArgumentNullException.ThrowIfNull(identity);
        _quotingKey = quotingKey;
        Identity = identity;
    }

    /// <inheritdoc />
    public bool IsSimulation => true;

    /// <inheritdoc />
    public EnclaveIdentity Identity { get; }

    /// <inheritdoc />
    public byte[] CreateEvidence(ReadOnlySpan<byte> noiseStaticPublicKey, ReadOnlySpan<byte> customIdentity)
    {
        if (noiseStaticPublicKey.Length != ReportData.KeySizeInBytes)
        {
            throw new ArgumentException($"A Noise static public key is {ReportData.KeySizeInBytes} bytes.", nameof(noiseStaticPublicKey));
        }

        if (customIdentity.Length is not (0 or ReportData.CustomIdentitySizeInBytes))
        {
            throw new ArgumentException($"A custom identity is {ReportData.CustomIdentitySizeInBytes} bytes or empty.", nameof(customIdentity));
        }

        var nonce = RandomNumberGenerator.GetBytes(ReportData.NonceSizeInBytes);
        var quote = new FogSimulatedQuote
        {
            Tee = TeeName,
            Measurement = ByteString.CopyFrom(Identity.Measurement.Value),
            SignerId = ByteString.CopyFrom(Identity.SignerId.Value),
            ProductId = (uint)Identity.ProductId,
            SecurityVersion = Identity.SecurityVersion,
            Debug = Identity.Debug,
            ReportDataHash = ByteString.CopyFrom(ReportData.Hash(nonce, noiseStaticPublicKey, customIdentity)),
        }.ToByteArray();

        var evidence = new FogSimulatedEvidence
        {
            Quote = ByteString.CopyFrom(quote),
            QuoteSignature = ByteString.CopyFrom(_quotingKey.SignQuote(quote)),
            QuotingKey = _quotingKey.Certificate.Clone(),
            ReportData = new EnclaveReportDataContents
            {
                Nonce = ByteString.CopyFrom(nonce),
                Key = ByteString.CopyFrom(noiseStaticPublicKey),
                CustomIdentity = ByteString.CopyFrom(customIdentity),
            },
        };
        return new FogEvidenceEnvelope { FogSimulatedEvidence = evidence }.ToByteArray();
    }

    /// <inheritdoc />
    public override string ToString() => $"Simulated quoting provider for {Identity}";
}
