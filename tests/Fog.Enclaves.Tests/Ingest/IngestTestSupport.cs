using Fog.Attestation.Evidence;
using Fog.Attestation.Sealing;
using Fog.Crypto.Box;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Enclaves.Ingest;
using Fog.Model.Addresses;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Transactions;
using Fog.Oblivious.Maps;

namespace Fog.Enclaves.Tests.Ingest;

/// <summary>A simulation root, quoting key and machine sealing secret from which test ingest enclaves are made.</summary>
internal sealed class IngestTestHost : IDisposable
{
    public static readonly EnclaveMeasurement Measurement = EnclaveMeasurement.Compute("ingest", "ingest enclave test build 1"u8);
    public static readonly EnclaveMeasurement OtherMeasurement = EnclaveMeasurement.Compute("ingest", "ingest enclave test build 2"u8);

    public SimulationRoot Root { get; } = SimulationRoot.Generate();

    public MachineSealingSecret SealingSecret { get; } = MachineSealingSecret.CreateEphemeral();

    public SimulatedQuotingKey QuotingKey => _quotingKey ??= Root.IssueQuotingKey();

    private SimulatedQuotingKey? _quotingKey;

    public static EnclaveIdentity Identity(EnclaveMeasurement? measurement = null) =>
        new(measurement ?? Measurement, EnclaveSignerId.FogSimulation, EnclaveProductId.Ingest, 1, false);

    public AttestationPolicy IngestPolicy(EnclaveMeasurement? measurement = null) =>
        new([measurement ?? Measurement], EnclaveProductId.Ingest, trustedSimulationRoots: [Root.PublicKey.ToArray()]);

    public IngestEnclave Create(
        ulong capacity = 128,
        string responderId = "ingest-test",
        EnclaveMeasurement? measurement = null,
        ObliviousMapOptions? mapOptions = null,
        MachineSealingSecret? sealingSecret = null,
        int maxChunkRetries = IngestEnclaveOptions.DefaultMaxChunkRetries,
        int parallelism = 2) =>
        (IngestEnclave)IngestEnclaveFactory.Create(
            new SimulatedQuotingProvider(QuotingKey, Identity(measurement)),
            responderId,
            new IngestEnclaveOptions
            {
                UserCapacity = capacity,
                SealingSecret = sealingSecret ?? SealingSecret,
                TrustedSimulationRoots = [Root.PublicKey.ToArray()],
                MapOptions = mapOptions,
                MaxChunkRetries = maxChunkRetries,
                Parallelism = parallelism,
            });

    public void Dispose()
    {
        _quotingKey?.Dispose();
        Root.Dispose();
        SealingSecret.Dispose();
    }
}

/// <summary>Test accounts and TxOuts with the four kinds of fog hint.</summary>
internal static class IngestTestData
{
    public static AccountKey Account(byte seed) => AccountKey.FromRootEntropy(Enumerable.Repeat(seed, 32).ToArray());

    /// <summary>A TxOut paying <paramref name="recipient"/> with a hint for the enclave whose ingress key is <paramref name="ingressPublicKey"/>.</summary>
    public static TxOut To(PublicAddress recipient, ReadOnlySpan<byte> ingressPublicKey, ulong value = 1_000, BlockVersion? version = null)
    {
        var hint = FogHint.Encrypt(RistrettoPublic.From(ingressPublicKey), recipient.ViewPublicKey);
        return WithHint(recipient, hint, value, version);
    }

    /// <summary>A TxOut to a recipient without fog (a fake hint).</summary>
    public static TxOut NonFog(PublicAddress recipient, ulong value = 1_000) => WithHint(recipient, FogHint.Fake(), value);

    /// <summary>A hint that authenticates under the ingress key but has the wrong magic bytes (an all-zero plaintext).</summary>
    public static TxOut WrongMagic(PublicAddress recipient, ReadOnlySpan<byte> ingressPublicKey) =>
        WithHint(recipient, VersionedCryptoBox.Encrypt(RistrettoPublic.From(ingressPublicKey), new byte[FogHint.PlaintextSize]));

    /// <summary>A hint that authenticates and has the magic bytes, around an invalid point (first byte 0xFF).</summary>
    public static TxOut InvalidPoint(PublicAddress recipient, ReadOnlySpan<byte> ingressPublicKey)
    {
        var plaintext = new byte[FogHint.PlaintextSize];
        recipient.ViewPublicKey.Bytes.CopyTo(plaintext);
        plaintext[0] = 0xFF;
        plaintext[32] = FogHint.Magic;
        plaintext[33] = FogHint.Magic;
        return WithHint(recipient, VersionedCryptoBox.Encrypt(RistrettoPublic.From(ingressPublicKey), plaintext));
    }

    public static TxOut WithHint(PublicAddress recipient, byte[] hint, ulong value = 1_000, BlockVersion? version = null)
    {
        using var txKey = RistrettoPrivate.Generate();
        return TxOut.Create(version ?? BlockVersion.Max, new Amount(value, Amount.MobTokenId), recipient, txKey, hint);
    }

    /// <summary>The user's KexRng for an egress key, from their default-subaddress view key (as a client rebuilds it).</summary>
    public static KexRng Rng(AccountKey account, KexRngPubkey egress)
    {
        using var view = account.DefaultSubaddressViewPrivate();
        Assert.Equal(KexRngError.None, KexRng.TryCreate(egress, view, out var rng));
        return rng!;
    }

    /// <summary>The record a payload holds for <paramref name="account"/>, or null when it does not decrypt (MAC failure).</summary>
    public static TxOutRecord? Open(AccountKey account, IngestedRecord record)
    {
        using var view = account.DefaultSubaddressViewPrivate();
        var plaintext = VersionedCryptoBox.TryDecrypt(view, record.Payload.Span);
        if (plaintext is null)
        {
            return null;
        }

        Assert.True(TxOutRecord.TryParseProtobuf(plaintext, out var parsed));
        return parsed;
    }

    public static IngestChunk Chunk(IReadOnlyList<TxOut> txOuts, ulong globalIndex = 100, ulong blockIndex = 1, ulong timestamp = 10) =>
        new(blockIndex, globalIndex, timestamp, txOuts);
}
