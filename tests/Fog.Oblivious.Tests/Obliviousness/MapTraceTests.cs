using Fog.Oblivious.Maps;
using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;
using Fog.Oblivious.Tests.Support;

namespace Fog.Oblivious.Tests.Obliviousness;

/// <summary>
/// The storage trace of a strongly oblivious map operation (which storages, in which order, how many
/// buckets, how many of them untrusted) must not depend on the key: present, absent, colliding or invalid.
/// </summary>
public class MapTraceTests
{
    public static TheoryData<EvictorKind, OramStorageKind> Engines => new()
    {
        { EvictorKind.Circuit, OramStorageKind.InMemory },
        { EvictorKind.Circuit, OramStorageKind.Untrusted },
        { EvictorKind.PathOram, OramStorageKind.InMemory },
        { EvictorKind.PathOram, OramStorageKind.Untrusted },
    };

    [Theory]
    [MemberData(nameof(Engines))]
    public void Read_access_and_remove_touch_the_same_buckets_whatever_the_key(EvictorKind evictor, OramStorageKind storage)
    {
        var trace = new AccessTrace();
        using var random = SeededRandomSource.FromTestSeed(31);
        var options = ObliviousMapOptions.For(ObliviousMapShape.View, 1 << 12) with
        {
            Evictor = evictor,
            PositionMapValueSize = 64,
            LinearScanThreshold = 16,
            Storage = new OramStorageOptions { Kind = storage, TrustedTopLevels = 3, Trace = trace },
        };
        using var map = new CuckooObliviousMap(options, random);

        // Data ORAMs of 512 buckets, position maps 512 → 32 → scan of 2, for each table.
        Assert.Equal(8, trace.Storages.Count);

        var present = Enumerable.Range(1, 300).Select(i => MapModel.KeyFor(i, 16)).ToArray();
        foreach (var k in present)
        {
            Assert.Equal(ObliviousMapStatus.NotFound, map.VarTimeWrite(k, MapModel.ValueFor(1, 240), false));
        }

        var absent = Enumerable.Range(1000, 20).Select(i => MapModel.KeyFor(i, 16)).ToArray();
        var colliding = Enumerable.Range(2000, 20000).Select(i => MapModel.KeyFor(i, 16))
            .Where(k => map.VarTimeBucketsOf(k).Bucket1 == map.VarTimeBucketsOf(present[0]).Bucket1).Take(5).ToArray();
        Assert.Equal(5, colliding.Length);
        var keys = present.Take(20).Concat(absent).Concat(colliding).Append(new byte[16]).ToArray();

        var output = new byte[240];
        var operations = new (string Name, Func<byte[], uint> Run)[]
        {
            ("read", k => map.Read(k, output)),
            ("access", k => map.Access(k, (_, v) => v[0] ^= 1)),
            ("access-and-remove(no)", k => map.AccessAndRemove(k, (_, _) => false)),
            ("remove", k => map.Remove(k)),
        };
        foreach (var (name, run) in operations)
        {
            string? reference = null;
            foreach (var key in keys)
            {
                trace.Clear();
                run(key);
                var shape = Shape(trace);
                reference ??= shape;
                Assert.True(reference == shape, $"{name}: trace shape differs for key {Convert.ToHexString(key)}");
            }

            // Two ORAM accesses, each: position-map recursion, then the data branch and one extra
            // eviction branch (Circuit) or none (Path ORAM).
            var checkouts = Shape(trace).Split(';').Count(e => e.Contains("Checkout", StringComparison.Ordinal));
            var perAccess = evictor == EvictorKind.Circuit ? 2 : 1;
            Assert.Equal(2 * 3 * perAccess, checkouts);
        }
    }

    private static string Shape(AccessTrace trace) =>
        string.Join(';', trace.Events.Select(e => $"{e.StorageId}:{e.Kind}:{e.BucketCount}:{e.UntrustedBucketCount}"));
}
