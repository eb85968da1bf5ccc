using Fog.Oblivious.Randomness;

namespace Fog.Oblivious.Tests.ConstantTime;

public class RandomSourceTests
{
    [Fact]
    public void Seeded_sources_are_reproducible_and_seed_dependent()
    {
        using var a = SeededRandomSource.FromTestSeed(7);
        using var b = SeededRandomSource.FromTestSeed(7);
        using var c = SeededRandomSource.FromTestSeed(8);
        var xs = Enumerable.Range(0, 2000).Select(_ => a.NextUInt64()).ToArray();
        var ys = Enumerable.Range(0, 2000).Select(_ => b.NextUInt64()).ToArray();
        var zs = Enumerable.Range(0, 2000).Select(_ => c.NextUInt64()).ToArray();
        Assert.Equal(xs, ys);
        Assert.NotEqual(xs, zs);
        Assert.Equal(xs.Length, xs.Distinct().Count());
    }

    [Fact]
    public void Fill_crosses_buffer_boundaries_without_repeating_output()
    {
        using var source = SeededRandomSource.FromTestSeed(1);
        var big = new byte[10_000];
        source.Fill(big);
        var blocks = Enumerable.Range(0, big.Length / 16).Select(i => Convert.ToHexString(big, i * 16, 16)).ToArray();
        Assert.Equal(blocks.Length, blocks.Distinct().Count());
    }

    [Fact]
    public void Bounded_draws_stay_in_range_and_cover_it()
    {
        using var source = new SystemRandomSource();
        var seen = new bool[25];
        for (var i = 0; i < 5000; i++)
        {
            var v = source.NextBelow(25);
            Assert.InRange(v, 0u, 24u);
            seen[v] = true;
        }

        Assert.All(seen, Assert.True);
    }

    [Fact]
    public void Seeds_must_be_32_bytes() =>
        Assert.Throws<ArgumentException>(() => new SeededRandomSource(new byte[16]));
}
