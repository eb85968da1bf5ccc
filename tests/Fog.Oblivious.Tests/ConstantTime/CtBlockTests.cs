using Fog.Oblivious.ConstantTime;
using FsCheck.Xunit;

namespace Fog.Oblivious.Tests.ConstantTime;

public class CtBlockTests
{
    // Lengths around every vector width and tail path (64, 32, 8 and single bytes).
    public static TheoryData<int> Lengths => [0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 240, 1023, 1024, 4096];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Conditional_copy_copies_only_when_the_mask_is_set(int length)
    {
        var (a, b) = Blocks(length, 1);
        var destination = a.ToArray();
        CtBlock.ConditionalCopy(Ct.False, destination, b);
        Assert.Equal(a, destination);
        CtBlock.ConditionalCopy(Ct.True, destination, b);
        Assert.Equal(b, destination);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Conditional_swap_swaps_only_when_the_mask_is_set(int length)
    {
        var (a, b) = Blocks(length, 2);
        var x = a.ToArray();
        var y = b.ToArray();
        CtBlock.ConditionalSwap(Ct.False, x, y);
        Assert.Equal(a, x);
        Assert.Equal(b, y);
        CtBlock.ConditionalSwap(Ct.True, x, y);
        Assert.Equal(b, x);
        Assert.Equal(a, y);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Masked_accumulation_over_one_hot_masks_selects_exactly_one_block(int length)
    {
        var candidates = Enumerable.Range(0, 5).Select(i => Blocks(length, 10 + i).A).ToArray();
        for (var chosen = -1; chosen < candidates.Length; chosen++)
        {
            var accumulator = new byte[length];
            for (var i = 0; i < candidates.Length; i++)
            {
                CtBlock.AccumulateMasked(Ct.FromBool(i == chosen), accumulator, candidates[i]);
            }

            Assert.Equal(chosen < 0 ? new byte[length] : candidates[chosen], accumulator);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Conditional_zero_clears_only_when_the_mask_is_set(int length)
    {
        var (a, _) = Blocks(length, 3);
        var x = a.ToArray();
        CtBlock.ConditionalZero(Ct.False, x);
        Assert.Equal(a, x);
        CtBlock.ConditionalZero(Ct.True, x);
        Assert.Equal(new byte[length], x);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Equality_detects_a_difference_in_any_single_byte(int length)
    {
        var (a, _) = Blocks(length, 4);
        Assert.Equal(Ct.True, CtBlock.Equal(a, a.ToArray()));
        for (var i = 0; i < length; i++)
        {
            var b = a.ToArray();
            b[i] ^= 0x80;
            Assert.Equal(Ct.False, CtBlock.Equal(a, b));
            var z = new byte[length];
            z[i] = 1;
            Assert.Equal(Ct.False, CtBlock.IsZero(z));
        }

        Assert.Equal(Ct.True, CtBlock.IsZero(new byte[length]));
    }

    [Property(MaxTest = 300)]
    public bool Lexicographic_less_than_matches_span_comparison(byte[] a, byte[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        var x = a.AsSpan(0, n);
        var y = b.AsSpan(0, n);
        return CtBlock.LessThan(x, y) == (x.SequenceCompareTo(y) < 0 ? Ct.True : Ct.False);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => CtBlock.ConditionalCopy(Ct.True, new byte[3], new byte[4]));
        Assert.Throws<ArgumentException>(() => CtBlock.Equal(new byte[3], new byte[4]));
        Assert.Throws<ArgumentException>(() => CtBlock.ConditionalSwap(Ct.True, new byte[3], new byte[4]));
    }

    private static (byte[] A, byte[] B) Blocks(int length, int seed)
    {
        var random = new System.Random(seed);
        var a = new byte[length];
        var b = new byte[length];
        random.NextBytes(a);
        random.NextBytes(b);
        return (a, b);
    }
}
