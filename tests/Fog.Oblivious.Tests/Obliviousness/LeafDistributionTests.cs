using Fog.Oblivious.Maps;
using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;
using Fog.Oblivious.Tests.Support;

namespace Fog.Oblivious.Tests.Obliviousness;

/// <summary>
/// The leaves a lookup touches must be uniform and independent of the logical access sequence:
/// chi-square tests at the 0.1 % level on the accessed branches of both data ORAMs.
/// </summary>
public class LeafDistributionTests
{
    private const int Lookups = 4096;
    private const int Leaves = 64; // 256 buckets per table, Z = 4: height 6.

    public enum Scenario
    {
        OneKeyRepeated,
        AllDistinctKeys,
        KeysCollidingInTableOne,
    }

    [Theory]
    [InlineData(Scenario.OneKeyRepeated, EvictorKind.Circuit)]
    [InlineData(Scenario.AllDistinctKeys, EvictorKind.Circuit)]
    [InlineData(Scenario.KeysCollidingInTableOne, EvictorKind.Circuit)]
    [InlineData(Scenario.OneKeyRepeated, EvictorKind.PathOram)]
    [InlineData(Scenario.KeysCollidingInTableOne, EvictorKind.PathOram)]
    public void Accessed_leaves_are_uniform_and_serially_independent(Scenario scenario, EvictorKind evictor)
    {
        var (table1, table2, _) = Run(scenario, evictor, seed: 41);
        foreach (var leaves in new[] { table1, table2 })
        {
            var uniform = ChiSquare.Uniform(ChiSquare.Histogram(leaves, Leaves));
            Assert.True(uniform < ChiSquare.Critical999(Leaves - 1), $"{scenario}: leaves not uniform (chi2 = {uniform:F1})");

            // Consecutive lookups: the pair (leaf t, leaf t+1) over an 8 x 8 grid must be uniform too.
            var pairs = leaves.Zip(leaves.Skip(1), (a, b) => (a >> 3 << 3) | (b >> 3));
            var serial = ChiSquare.Uniform(ChiSquare.Histogram(pairs, 64));
            Assert.True(serial < ChiSquare.Critical999(63), $"{scenario}: consecutive leaves correlated (chi2 = {serial:F1})");
        }
    }

    [Fact]
    public void Leaf_distributions_do_not_depend_on_the_access_sequence()
    {
        var repeated = Run(Scenario.OneKeyRepeated, EvictorKind.Circuit, seed: 42);
        var colliding = Run(Scenario.KeysCollidingInTableOne, EvictorKind.Circuit, seed: 43);
        var distinct = Run(Scenario.AllDistinctKeys, EvictorKind.Circuit, seed: 44);
        var critical = ChiSquare.Critical999(Leaves - 1);
        Assert.True(ChiSquare.Homogeneity(ChiSquare.Histogram(repeated.Table1, Leaves), ChiSquare.Histogram(colliding.Table1, Leaves)) < critical);
        Assert.True(ChiSquare.Homogeneity(ChiSquare.Histogram(repeated.Table1, Leaves), ChiSquare.Histogram(distinct.Table1, Leaves)) < critical);

        // The extra eviction branches are a public schedule: identical whatever the keys.
        Assert.Equal(repeated.Extra, colliding.Extra);
        Assert.Equal(repeated.Extra, distinct.Extra);
    }

    [Fact]
    public void The_chi_square_check_rejects_a_leaky_leaf_sequence()
    {
        // Control: if a bucket's branch were a fixed function of its index (no remapping), a repeated
        // key would always hit one leaf and colliding keys would cluster; the check must catch that.
        var leaky = Enumerable.Range(0, Lookups).Select(i => (i % 5) * 7 % Leaves).ToList();
        Assert.True(ChiSquare.Uniform(ChiSquare.Histogram(leaky, Leaves)) > ChiSquare.Critical999(Leaves - 1));
        var biased = Enumerable.Range(0, Lookups).Select(i => i % 3 == 0 ? 0 : i * 37 % Leaves).ToList();
        Assert.True(ChiSquare.Uniform(ChiSquare.Histogram(biased, Leaves)) > ChiSquare.Critical999(Leaves - 1));
    }

    private static (List<int> Table1, List<int> Table2, List<ulong> Extra) Run(Scenario scenario, EvictorKind evictor, ulong seed)
    {
        var trace = new AccessTrace();
        using var random = SeededRandomSource.FromTestSeed(seed);
        var options = ObliviousMapOptions.For(ObliviousMapShape.View, 2048) with
        {
            Evictor = evictor,
            Storage = new OramStorageOptions { Trace = trace },
        };
        using var map = new CuckooObliviousMap(options, random);
        Assert.Equal(256UL, map.BucketsPerTable);
        var present = Enumerable.Range(1, 600).Select(i => MapModel.KeyFor(i, 16)).ToArray();
        foreach (var k in present)
        {
            map.VarTimeWrite(k, MapModel.ValueFor(2, 240), false);
        }

        var target = map.VarTimeBucketsOf(present[0]).Bucket1;
        var colliding = Enumerable.Range(10_000, 40_000).Select(i => MapModel.KeyFor(i, 16))
            .Where(k => map.VarTimeBucketsOf(k).Bucket1 == target).Take(40).ToArray();
        var sequence = scenario switch
        {
            Scenario.OneKeyRepeated => Enumerable.Repeat(present[0], Lookups),
            Scenario.AllDistinctKeys => Enumerable.Range(100_000, Lookups).Select(i => i % 2 == 0 ? present[i % present.Length] : MapModel.KeyFor(i, 16)),
            _ => Enumerable.Range(0, Lookups).Select(i => colliding[i % colliding.Length]),
        };

        var id1 = trace.IdOf("table1");
        var id2 = trace.IdOf("table2");
        var table1 = new List<int>();
        var table2 = new List<int>();
        var extra = new List<ulong>();
        var output = new byte[240];
        foreach (var key in sequence)
        {
            trace.Clear();
            map.Read(key, output);
            var checkouts1 = trace.Events.Where(e => e.StorageId == id1 && e.Kind == StorageAccessKind.Checkout).ToList();
            var checkouts2 = trace.Events.Where(e => e.StorageId == id2 && e.Kind == StorageAccessKind.Checkout).ToList();
            table1.Add((int)(checkouts1[0].Leaf - Leaves));
            table2.Add((int)(checkouts2[0].Leaf - Leaves));
            extra.AddRange(checkouts1.Skip(1).Concat(checkouts2.Skip(1)).Select(e => e.Leaf));
        }

        return (table1, table2, extra);
    }
}
