using System.Runtime.CompilerServices;

namespace Fog.Oblivious.ConstantTime;

/// <summary>
/// Constant-time word operations: masks built from conditions, selection, conditional assignment and
/// swap, equality and ordering of 64-bit words.
/// </summary>
/// <remarks>
/// <para>
/// A <em>mask</em> is a <see cref="ulong"/> that is either all zeros (false) or all ones (true).
/// Masks are combined with <c>&amp;</c>, <c>|</c> and <c>~</c>; they are never turned back into a
/// <see cref="bool"/> that a branch could consume.
/// </para>
/// <para>
/// Security: every member compiles to straight-line ALU code (shifts, subtraction, logic) without
/// branches, table lookups or secret-dependent memory addresses. None of them throws. They are
/// marked <see cref="MethodImplOptions.AggressiveInlining"/> so they disappear into their callers,
/// which are themselves compiled with <see cref="MethodImplOptions.AggressiveOptimization"/>.
/// </para>
/// </remarks>
public static class Ct
{
    /// <summary>The all-ones mask (true).</summary>
    public const ulong True = ulong.MaxValue;

    /// <summary>The all-zeros mask (false).</summary>
    public const ulong False = 0;

    /// <summary>Expands a bit (0 or 1) into a mask.</summary>
    /// <param name="bit">0 or 1; any other value gives a meaningless result.</param>
    /// <returns><see cref="True"/> when <paramref name="bit"/> is 1, otherwise <see cref="False"/>.</returns>
    /// <remarks>Security: a single negation; constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong FromBit(ulong bit) => 0UL - bit;

    /// <summary>Expands a <see cref="bool"/> into a mask without branching on it.</summary>
    /// <param name="condition">The condition.</param>
    /// <returns><see cref="True"/> when <paramref name="condition"/> holds.</returns>
    /// <remarks>Security: reinterprets the bool's byte and negates it; no conditional jump.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong FromBool(bool condition) => 0UL - (Unsafe.BitCast<bool, byte>(condition) & 1UL);

    /// <summary>Reduces a mask to its low bit (1 for <see cref="True"/>, 0 for <see cref="False"/>).</summary>
    /// <param name="mask">A mask.</param>
    /// <returns>0 or 1.</returns>
    /// <remarks>Security: a single AND; constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ToBit(ulong mask) => mask & 1;

    /// <summary>Mask that is true when <paramref name="x"/> is zero.</summary>
    /// <param name="x">Any word.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: <c>((x | -x) &gt;&gt; 63) - 1</c>; constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong IsZero(ulong x) => ((x | (0UL - x)) >> 63) - 1;

    /// <summary>Mask that is true when <paramref name="x"/> is not zero.</summary>
    /// <param name="x">Any word.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong IsNonZero(ulong x) => 0UL - ((x | (0UL - x)) >> 63);

    /// <summary>Mask that is true when <paramref name="a"/> equals <paramref name="b"/>.</summary>
    /// <param name="a">First word.</param>
    /// <param name="b">Second word.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Equal(ulong a, ulong b) => IsZero(a ^ b);

    /// <summary>Mask that is true when <paramref name="a"/> differs from <paramref name="b"/>.</summary>
    /// <param name="a">First word.</param>
    /// <param name="b">Second word.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NotEqual(ulong a, ulong b) => IsNonZero(a ^ b);

    /// <summary>Mask that is true when <paramref name="a"/> &lt; <paramref name="b"/> (unsigned).</summary>
    /// <param name="a">First word.</param>
    /// <param name="b">Second word.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: computes the borrow of <c>a - b</c> with logic operations; constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LessThan(ulong a, ulong b) => 0UL - ((((~a) & b) | (~(a ^ b) & (a - b))) >> 63);

    /// <summary>Mask that is true when <paramref name="a"/> &lt;= <paramref name="b"/> (unsigned).</summary>
    /// <param name="a">First word.</param>
    /// <param name="b">Second word.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LessOrEqual(ulong a, ulong b) => ~LessThan(b, a);

    /// <summary>Mask that is true when <paramref name="a"/> &gt; <paramref name="b"/> (unsigned).</summary>
    /// <param name="a">First word.</param>
    /// <param name="b">Second word.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong GreaterThan(ulong a, ulong b) => LessThan(b, a);

    /// <summary>Mask that is true when <paramref name="a"/> &lt; <paramref name="b"/> (signed).</summary>
    /// <param name="a">First word.</param>
    /// <param name="b">Second word.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: flips the sign bits and compares unsigned; constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LessThanSigned(long a, long b) =>
        LessThan((ulong)a ^ 0x8000_0000_0000_0000UL, (ulong)b ^ 0x8000_0000_0000_0000UL);

    /// <summary>Returns <paramref name="a"/> when <paramref name="mask"/> is true, otherwise <paramref name="b"/>.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="a">Chosen when the mask is true.</param>
    /// <param name="b">Chosen when the mask is false.</param>
    /// <returns>The selected word.</returns>
    /// <remarks>Security: <c>b ^ ((a ^ b) &amp; mask)</c>; both inputs are always read; constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Select(ulong mask, ulong a, ulong b) => b ^ ((a ^ b) & mask);

    /// <summary>Selects between two 32-bit words with a mask.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="a">Chosen when the mask is true.</param>
    /// <param name="b">Chosen when the mask is false.</param>
    /// <returns>The selected word.</returns>
    /// <remarks>Security: constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Select(ulong mask, uint a, uint b) => b ^ ((a ^ b) & (uint)mask);

    /// <summary>Selects between two signed words with a mask.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="a">Chosen when the mask is true.</param>
    /// <param name="b">Chosen when the mask is false.</param>
    /// <returns>The selected word.</returns>
    /// <remarks>Security: constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Select(ulong mask, long a, long b) => b ^ ((a ^ b) & (long)mask);

    /// <summary>Sets <paramref name="destination"/> to <paramref name="source"/> when <paramref name="mask"/> is true.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="destination">Always read and written.</param>
    /// <param name="source">The new value.</param>
    /// <remarks>Security: the destination is written in both cases; constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ConditionalAssign(ulong mask, ref ulong destination, ulong source) =>
        destination = Select(mask, source, destination);

    /// <summary>Swaps <paramref name="a"/> and <paramref name="b"/> when <paramref name="mask"/> is true.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="a">First word; always read and written.</param>
    /// <param name="b">Second word; always read and written.</param>
    /// <remarks>Security: XOR-swap under the mask; constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ConditionalSwap(ulong mask, ref ulong a, ref ulong b)
    {
        var t = (a ^ b) & mask;
        a ^= t;
        b ^= t;
    }

    /// <summary>Returns the smaller of two unsigned words without branching.</summary>
    /// <param name="a">First word.</param>
    /// <param name="b">Second word.</param>
    /// <returns>The minimum.</returns>
    /// <remarks>Security: constant time, unlike <see cref="Math.Min(ulong, ulong)"/>, which may branch.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Min(ulong a, ulong b) => Select(LessThan(a, b), a, b);

    /// <summary>Returns the larger of two unsigned words without branching.</summary>
    /// <param name="a">First word.</param>
    /// <param name="b">Second word.</param>
    /// <returns>The maximum.</returns>
    /// <remarks>Security: constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Max(ulong a, ulong b) => Select(LessThan(a, b), b, a);
}
