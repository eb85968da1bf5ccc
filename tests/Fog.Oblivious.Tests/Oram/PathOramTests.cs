using Fog.Oblivious.Oram;
using Fog.Oblivious.PositionMaps;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;
using Fog.Oblivious.Tests.Support;

namespace Fog.Oblivious.Tests.Oram;

public class PathOramTests
{
    [Theory]
    [MemberData(nameof(OramImplementations.TreeOrams), MemberType = typeof(OramImplementations))]
    public void Every_block_stays_on_its_leafs_branch_and_none_is_lost_or_duplicated(string implementation)
    {
        using var random = SeededRandomSource.FromTestSeed(11);
        using var oram = OramImplementations.Create(implementation, 256, 64, random);
        var diagnostics = (IOramDiagnostics)oram;
        var script = new System.Random(11);
        var touched = new HashSet<ulong>();
        for (var step = 0; step < 3000; step++)
        {
            var index = (ulong)script.Next(256);
            touched.Add(index);
            oram.BeginAccess(index)[0] = (byte)step;
            oram.EndAccess();
            if (step % 500 == 499)
            {
                Assert.Equal(touched.Count, diagnostics.VarTimeCheckInvariant());
            }
        }
    }

    [Theory]
    [InlineData(EvictorKind.Circuit, 8)]
    [InlineData(EvictorKind.PathOram, 24)]
    public void Stash_occupancy_stays_far_below_the_stash_size(EvictorKind evictor, int bound)
    {
        // Shipped shape (Z = 4, N/4 leaves, stash 32) on a fully populated tree; the 10^6-access run
        // with 1 KiB values is in the benchmark. Values are 64 bytes here: the stash does not depend on them.
        using var random = SeededRandomSource.FromTestSeed(12);
        using var oram = OramFactory.Create(1 << 10, new OramOptions { Evictor = evictor, ValueSize = 64 }, random);
        var diagnostics = (IOramDiagnostics)oram;
        for (ulong i = 0; i < 1 << 10; i++)
        {
            oram.BeginAccess(i);
            oram.EndAccess();
        }

        var max = 0;
        diagnostics.VarTimeStashObserver = n => max = Math.Max(max, n);
        using var indices = SeededRandomSource.FromTestSeed(13);
        for (var step = 0; step < 20_000; step++)
        {
            oram.BeginAccess(indices.NextBelow(1 << 10));
            oram.EndAccess();
        }

        Assert.InRange(max, 1, bound);
        Assert.Equal(1 << 10, diagnostics.VarTimeCheckInvariant());
    }

    [Fact]
    public void Stash_overflow_is_a_typed_fatal_error()
    {
        using var random = SeededRandomSource.FromTestSeed(14);
        using var oram = OramFactory.Create(256, new OramOptions { Evictor = EvictorKind.PathOram, ValueSize = 64, StashSize = 1 }, random);
        var thrown = Assert.Throws<StashOverflowException>(() =>
        {
            for (var step = 0; step < 100_000; step++)
            {
                oram.BeginAccess((ulong)(step % 256));
                oram.EndAccess();
            }
        });
        Assert.Contains("stash", thrown.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<InvalidOperationException>(() => oram.BeginAccess(0));
    }

    [Theory]
    [InlineData(EvictorKind.Circuit, 1)]
    [InlineData(EvictorKind.Circuit, 2)]
    [InlineData(EvictorKind.PathOram, 0)]
    public void Each_access_checks_out_the_accessed_branch_then_the_extra_eviction_branches(EvictorKind evictor, int extra)
    {
        var trace = new AccessTrace();
        using var random = SeededRandomSource.FromTestSeed(15);
        var options = new OramOptions
        {
            Evictor = evictor,
            ExtraEvictionBranches = extra,
            ValueSize = 64,
            Storage = new OramStorageOptions { Trace = trace },
        };
        using var oram = OramFactory.Create(1 << 13, options, random, "data");
        var data = trace.IdOf("data");
        var height = ((IOramDiagnostics)oram).Geometry.Height;
        var evictions = new List<ulong>();
        for (ulong i = 0; i < 40; i++)
        {
            trace.Clear();
            oram.BeginAccess(i * 97 % (1 << 13));
            oram.EndAccess();
            var events = trace.Events.Where(e => e.StorageId == data).ToList();
            Assert.Equal(2 * (1 + extra), events.Count);
            for (var b = 0; b <= extra; b++)
            {
                Assert.Equal(StorageAccessKind.Checkout, events[2 * b].Kind);
                Assert.Equal(StorageAccessKind.Checkin, events[(2 * b) + 1].Kind);
                Assert.Equal(events[2 * b].Leaf, events[(2 * b) + 1].Leaf);
                Assert.Equal(height + 1, events[2 * b].BucketCount);
            }

            evictions.AddRange(events.Where((e, k) => k >= 2 && e.Kind == StorageAccessKind.Checkout).Select(e => e.Leaf));
        }

        // Extra branches follow the public reverse-lexicographic order: 0, 1/2, 1/4, 3/4, ... of the leaves.
        var expected = Enumerable.Range(0, evictions.Count)
            .Select(k => (1UL << height) | (ReverseBits((ulong)k) >> (64 - height)))
            .ToList();
        Assert.Equal(expected, evictions);
    }

    [Fact]
    public void Position_map_recursion_reaches_a_linear_scan_of_at_most_the_threshold()
    {
        var trace = new AccessTrace();
        using var random = SeededRandomSource.FromTestSeed(16);
        var options = new OramOptions { ValueSize = 64, PositionMapValueSize = 64, LinearScanThreshold = 16, Storage = new OramStorageOptions { Trace = trace } };
        using var oram = OramFactory.Create(1 << 12, options, random, "data");
        var labels = trace.Storages.Select(s => s.Label).ToList();
        Assert.Equal(["data/pos/pos/scan", "data/pos/pos", "data/pos", "data"], labels);
        trace.Clear();
        oram.BeginAccess(5);
        oram.EndAccess();
        Assert.Equal(16, trace.Events.Single(e => e.Kind == StorageAccessKind.LinearScan).BucketCount);
    }

    [Theory]
    [InlineData(16UL)]
    [InlineData(4096UL)]
    public void Position_maps_return_the_previous_leaf_or_a_random_leaf_for_fresh_entries(ulong length)
    {
        using var random = SeededRandomSource.FromTestSeed(17);
        const int height = 9;
        using IPositionMap map = length <= 16
            ? new LinearScanPositionMap(length, height, random)
            : OramFactory.CreatePositionMap(length, height, new OramOptions { ValueSize = 64, LinearScanThreshold = 64 }, random, "p");
        var model = new Dictionary<ulong, uint>();
        var fresh = new HashSet<uint>();
        var script = new System.Random(17);
        for (var step = 0; step < 2000; step++)
        {
            var index = (ulong)script.NextInt64((long)length);
            var leaf = (uint)((1 << height) + script.Next(1 << height));
            var old = map.Write(index, leaf);
            Assert.InRange(old, 1u << height, (2u << height) - 1);
            if (model.TryGetValue(index, out var previous))
            {
                Assert.Equal(previous, old);
            }
            else
            {
                fresh.Add(old);
            }

            model[index] = leaf;
        }

        Assert.True(fresh.Count > Math.Min(model.Count, 1 << height) / 2, "lazy leaves should be random, not constant");
    }

    private static ulong ReverseBits(ulong v)
    {
        ulong r = 0;
        for (var i = 0; i < 64; i++)
        {
            r = (r << 1) | (v & 1);
            v >>= 1;
        }

        return r;
    }
}
