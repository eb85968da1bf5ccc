using Fog.Oblivious.ConstantTime;
using FsCheck.Xunit;

namespace Fog.Oblivious.Tests.ConstantTime;

public class CtTests
{
    private static readonly ulong[] Edges =
    [
        0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0x8000_0000_0000_0001, ulong.MaxValue - 1, ulong.MaxValue,
    ];

    [Fact]
    public void Comparisons_agree_with_the_language_operators_on_edge_values()
    {
        foreach (var a in Edges)
        {
            foreach (var b in Edges)
            {
                Assert.Equal(a == b ? Ct.True : Ct.False, Ct.Equal(a, b));
                Assert.Equal(a != b ? Ct.True : Ct.False, Ct.NotEqual(a, b));
                Assert.Equal(a < b ? Ct.True : Ct.False, Ct.LessThan(a, b));
                Assert.Equal(a <= b ? Ct.True : Ct.False, Ct.LessOrEqual(a, b));
                Assert.Equal(a > b ? Ct.True : Ct.False, Ct.GreaterThan(a, b));
                Assert.Equal((long)a < (long)b ? Ct.True : Ct.False, Ct.LessThanSigned((long)a, (long)b));
                Assert.Equal(Math.Min(a, b), Ct.Min(a, b));
                Assert.Equal(Math.Max(a, b), Ct.Max(a, b));
            }
        }
    }

    [Property(MaxTest = 500)]
    public bool Unsigned_and_signed_ordering_match_the_operators(ulong a, ulong b) =>
        Ct.LessThan(a, b) == (a < b ? Ct.True : Ct.False)
        && Ct.LessThanSigned((long)a, (long)b) == ((long)a < (long)b ? Ct.True : Ct.False)
        && Ct.Equal(a, a) == Ct.True;

    [Property(MaxTest = 300)]
    public bool Select_assign_and_swap_follow_the_mask(ulong a, ulong b, bool condition)
    {
        var mask = Ct.FromBool(condition);
        var x = a;
        var y = b;
        Ct.ConditionalSwap(mask, ref x, ref y);
        var assigned = a;
        Ct.ConditionalAssign(mask, ref assigned, b);
        return Ct.Select(mask, a, b) == (condition ? a : b)
            && Ct.Select(mask, (uint)a, (uint)b) == (condition ? (uint)a : (uint)b)
            && Ct.Select(mask, (long)a, (long)b) == (condition ? (long)a : (long)b)
            && x == (condition ? b : a) && y == (condition ? a : b)
            && assigned == (condition ? b : a);
    }

    [Fact]
    public void Masks_are_all_ones_or_all_zeros()
    {
        Assert.Equal(Ct.True, Ct.FromBool(true));
        Assert.Equal(Ct.False, Ct.FromBool(false));
        Assert.Equal(Ct.True, Ct.FromBit(1));
        Assert.Equal(Ct.False, Ct.FromBit(0));
        Assert.Equal(1UL, Ct.ToBit(Ct.True));
        Assert.Equal(Ct.True, Ct.IsZero(0));
        Assert.Equal(Ct.False, Ct.IsZero(0x8000_0000_0000_0000));
        Assert.Equal(Ct.True, Ct.IsNonZero(1));
    }
}
