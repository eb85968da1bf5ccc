using Fog.Enclaves.Ingest;
using Fog.Model.Transactions;
using Fog.Oblivious.Maps;
using Fog.Oblivious.Oram;
using Fog.Oblivious.Storage;
using static Fog.Enclaves.Tests.Ingest.IngestTestData;

namespace Fog.Enclaves.Tests.Ingest;

/// <summary>
/// What a host observing the enclave sees must not tell a TxOut for a fog user of this enclave from chaff, nor a new
/// recipient from a returning one: the counter map's storage trace and the record lengths are identical.
/// </summary>
public sealed class IngestObliviousnessTests : IDisposable
{
    private readonly IngestTestHost _host = new();

    public void Dispose() => _host.Dispose();

    public static TheoryData<EvictorKind, OramStorageKind> Engines => new()
    {
        { EvictorKind.Circuit, OramStorageKind.InMemory },
        { EvictorKind.Circuit, OramStorageKind.Untrusted },
        { EvictorKind.PathOram, OramStorageKind.InMemory },
    };

    [Theory]
    [MemberData(nameof(Engines))]
    public void Counter_map_trace_is_the_same_for_a_returning_user_a_new_user_and_chaff(EvictorKind evictor, OramStorageKind storage)
    {
        var trace = new AccessTrace();
        var mapOptions = ObliviousMapOptions.For(ObliviousMapShape.Ingest, 4096) with
        {
            Evictor = evictor,
            Storage = new OramStorageOptions { Kind = storage, TrustedTopLevels = 2, Trace = trace },
        };
        using var enclave = _host.Create(capacity: 4096, mapOptions: mapOptions);
        using var other = _host.Create(capacity: 128);
        using var bob = Account(21);
        using var carol = Account(22);
        var ingress = enclave.IngressPublicKey;

        // Bob has been paid before; Carol has not.
        Assert.Equal(IngestStatus.Ok, enclave.IngestTxs(Chunk([To(bob.DefaultSubaddress, ingress)])).Status);

        var cases = new (string Name, TxOut TxOut)[]
        {
            ("returning fog user", To(bob.DefaultSubaddress, ingress)),
            ("new fog user", To(carol.DefaultSubaddress, ingress)),
            ("non-fog recipient (fake hint)", NonFog(bob.DefaultSubaddress)),
            ("hint for another enclave", To(bob.DefaultSubaddress, other.IngressPublicKey)),
            ("authenticated hint without magic bytes", WrongMagic(bob.DefaultSubaddress, ingress)),
        };
        string? reference = null;
        int? referenceLength = null;
        foreach (var (name, txOut) in cases)
        {
            trace.Clear();
            var record = Assert.Single(enclave.IngestTxs(Chunk([txOut])).Records);
            var shape = Shape(trace);
            reference ??= shape;
            referenceLength ??= record.Payload.Length;
            Assert.True(reference == shape, $"The counter map's storage trace for a {name} differs from a returning fog user's.");
            Assert.Equal(referenceLength, record.Payload.Length);
            Assert.Equal(16, record.SearchKey.Length);
        }

        // One access_and_insert: a read and two writes, each touching both tables' data ORAMs.
        var dataCheckouts = trace.Events.Count(e => e.Kind == StorageAccessKind.Checkout && trace.Storages[e.StorageId].Label is "table1" or "table2");
        Assert.True(dataCheckouts >= 6, $"expected at least 6 data-ORAM checkouts, saw {dataCheckouts}");
    }

    [Fact]
    public void Records_for_a_fog_user_and_for_chaff_have_the_same_length_whatever_the_amounts()
    {
        using var enclave = _host.Create(capacity: 4096);
        using var bob = Account(23);
        var ingress = enclave.IngressPublicKey;
        var txOuts = new[]
        {
            To(bob.DefaultSubaddress, ingress, value: 0),
            To(bob.DefaultSubaddress, ingress, value: ulong.MaxValue / 2),
            NonFog(bob.DefaultSubaddress, value: 1),
            WithHint(bob.DefaultSubaddress, FogHintOfZeros(), value: 12_345_678_901),
        };

        var result = enclave.IngestTxs(Chunk(txOuts, globalIndex: 0, blockIndex: 0, timestamp: 0));

        Assert.Equal(4, result.Records.Count);
        Assert.Single(result.Records.Select(r => r.Payload.Length).Distinct());
        Assert.Equal(237, result.Records[0].Payload.Length);
        Assert.NotNull(Open(bob, result.Records[0]));
        Assert.NotNull(Open(bob, result.Records[1]));
        Assert.Null(Open(bob, result.Records[2]));
        Assert.Null(Open(bob, result.Records[3]));
    }

    private static byte[] FogHintOfZeros() => new byte[Model.FogData.FogHint.Size];

    private static string Shape(AccessTrace trace) =>
        string.Join(';', trace.Events.Select(e => $"{e.StorageId}:{e.Kind}:{e.BucketCount}:{e.UntrustedBucketCount}"));
}
