using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Fog.Oblivious.ConstantTime;

/// <summary>
/// Constant-time operations on byte blocks: conditional copy, swap and zeroing, masked
/// accumulation (an oblivious gather), equality and lexicographic comparison.
/// </summary>
/// <remarks>
/// <para>
/// Conditional moves follow "load both, select, always store": every byte of the destination is
/// read and written whatever the mask, so neither the instruction stream nor the set of dirtied cache
/// lines depends on the condition. The widest available vectors are used (<see cref="Vector512"/> on
/// AVX-512 machines, otherwise <see cref="Vector256"/>), then 8-byte words, then single bytes; the
/// loop bounds depend only on the (public) lengths.
/// </para>
/// <para>
/// Security: constant time in the mask and the contents. Lengths and addresses are public. The
/// span overloads throw only when the lengths of their arguments differ, which is a public property.
/// </para>
/// </remarks>
public static unsafe class CtBlock
{
    /// <summary>Copies <paramref name="source"/> over <paramref name="destination"/> when <paramref name="mask"/> is true.</summary>
    /// <param name="mask">A mask (<see cref="Ct.True"/> or <see cref="Ct.False"/>).</param>
    /// <param name="destination">Always read and fully rewritten.</param>
    /// <param name="source">Same length as <paramref name="destination"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <remarks>Security: constant time in <paramref name="mask"/> and the contents.</remarks>
    public static void ConditionalCopy(ulong mask, Span<byte> destination, ReadOnlySpan<byte> source)
    {
        RequireSameLength(destination.Length, source.Length, nameof(source));
        fixed (byte* d = destination)
        fixed (byte* s = source)
        {
            ConditionalCopy(mask, d, s, (nuint)destination.Length);
        }
    }

    /// <summary>Swaps the contents of two equally long blocks when <paramref name="mask"/> is true.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="a">First block; always read and rewritten.</param>
    /// <param name="b">Second block; always read and rewritten.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <remarks>Security: constant time in <paramref name="mask"/> and the contents.</remarks>
    public static void ConditionalSwap(ulong mask, Span<byte> a, Span<byte> b)
    {
        RequireSameLength(a.Length, b.Length, nameof(b));
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        {
            ConditionalSwap(mask, pa, pb, (nuint)a.Length);
        }
    }

    /// <summary>Zeroes <paramref name="destination"/> when <paramref name="mask"/> is true.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="destination">Always read and rewritten.</param>
    /// <remarks>Security: constant time in <paramref name="mask"/> and the contents.</remarks>
    public static void ConditionalZero(ulong mask, Span<byte> destination)
    {
        fixed (byte* d = destination)
        {
            ConditionalZero(mask, d, (nuint)destination.Length);
        }
    }

    /// <summary>ORs <paramref name="source"/> masked by <paramref name="mask"/> into <paramref name="accumulator"/>.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="accumulator">Always read and rewritten: <c>accumulator |= source &amp; mask</c>.</param>
    /// <param name="source">Same length as <paramref name="accumulator"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <remarks>
    /// Starting from a zeroed accumulator and applying this to every candidate with a one-hot set of
    /// masks selects exactly one candidate (or nothing) while reading each candidate once.
    /// Security: constant time in <paramref name="mask"/> and the contents.
    /// </remarks>
    public static void AccumulateMasked(ulong mask, Span<byte> accumulator, ReadOnlySpan<byte> source)
    {
        RequireSameLength(accumulator.Length, source.Length, nameof(source));
        fixed (byte* d = accumulator)
        fixed (byte* s = source)
        {
            AccumulateMasked(mask, d, s, (nuint)accumulator.Length);
        }
    }

    /// <summary>Mask that is true when the two blocks hold the same bytes.</summary>
    /// <param name="a">First block.</param>
    /// <param name="b">Second block, same length.</param>
    /// <returns>A mask.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <remarks>
    /// Security: XOR/OR over every byte, no early exit; constant time in the contents. Prefer it to
    /// <c>SequenceEqual</c> (which exits early) and to <c>CryptographicOperations.FixedTimeEquals</c>
    /// on hot paths (correct but compiled without optimisation, and it returns a bool).
    /// </remarks>
    public static ulong Equal(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        RequireSameLength(a.Length, b.Length, nameof(b));
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        {
            return Equal(pa, pb, (nuint)a.Length);
        }
    }

    /// <summary>Mask that is true when every byte of <paramref name="a"/> is zero.</summary>
    /// <param name="a">The block.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: ORs every byte, no early exit; constant time in the contents.</remarks>
    public static ulong IsZero(ReadOnlySpan<byte> a)
    {
        fixed (byte* pa = a)
        {
            return IsZero(pa, (nuint)a.Length);
        }
    }

    /// <summary>
    /// Mask that is true when <paramref name="a"/> is lexicographically smaller than <paramref name="b"/>
    /// (both read as big-endian unsigned numbers of the same length).
    /// </summary>
    /// <param name="a">First block.</param>
    /// <param name="b">Second block, same length.</param>
    /// <returns>A mask.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <remarks>Security: visits every byte and keeps the decision in masks; constant time in the contents.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong LessThan(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        RequireSameLength(a.Length, b.Length, nameof(b));
        ulong less = 0;
        ulong decided = 0;
        for (var i = 0; i < a.Length; i++)
        {
            ulong x = a[i];
            ulong y = b[i];
            less |= ~decided & Ct.LessThan(x, y);
            decided |= Ct.NotEqual(x, y);
        }

        return less;
    }

    /// <summary>Pointer form of <see cref="ConditionalCopy(ulong, Span{byte}, ReadOnlySpan{byte})"/>.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="destination">Always read and rewritten.</param>
    /// <param name="source">Read once.</param>
    /// <param name="length">Public length in bytes.</param>
    /// <remarks>Security: constant time in <paramref name="mask"/> and the contents.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void ConditionalCopy(ulong mask, byte* destination, byte* source, nuint length)
    {
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var m = Vector512.Create(mask);
            for (; i + 64 <= length; i += 64)
            {
                var d = Vector512.Load((ulong*)(destination + i));
                var s = Vector512.Load((ulong*)(source + i));
                Vector512.ConditionalSelect(m, s, d).Store((ulong*)(destination + i));
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(mask);
            for (; i + 32 <= length; i += 32)
            {
                var d = Vector256.Load((ulong*)(destination + i));
                var s = Vector256.Load((ulong*)(source + i));
                Vector256.ConditionalSelect(m, s, d).Store((ulong*)(destination + i));
            }
        }

        for (; i + 8 <= length; i += 8)
        {
            var d = Unsafe.ReadUnaligned<ulong>(destination + i);
            var s = Unsafe.ReadUnaligned<ulong>(source + i);
            Unsafe.WriteUnaligned(destination + i, d ^ ((s ^ d) & mask));
        }

        var mb = (byte)mask;
        for (; i < length; i++)
        {
            var d = destination[i];
            destination[i] = (byte)(d ^ ((source[i] ^ d) & mb));
        }
    }

    /// <summary>Pointer form of <see cref="ConditionalSwap(ulong, Span{byte}, Span{byte})"/>.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="a">First block.</param>
    /// <param name="b">Second block.</param>
    /// <param name="length">Public length in bytes.</param>
    /// <remarks>Security: constant time in <paramref name="mask"/> and the contents.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void ConditionalSwap(ulong mask, byte* a, byte* b, nuint length)
    {
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var m = Vector512.Create(mask);
            for (; i + 64 <= length; i += 64)
            {
                var x = Vector512.Load((ulong*)(a + i));
                var y = Vector512.Load((ulong*)(b + i));
                var t = (x ^ y) & m;
                (x ^ t).Store((ulong*)(a + i));
                (y ^ t).Store((ulong*)(b + i));
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(mask);
            for (; i + 32 <= length; i += 32)
            {
                var x = Vector256.Load((ulong*)(a + i));
                var y = Vector256.Load((ulong*)(b + i));
                var t = (x ^ y) & m;
                (x ^ t).Store((ulong*)(a + i));
                (y ^ t).Store((ulong*)(b + i));
            }
        }

        for (; i + 8 <= length; i += 8)
        {
            var x = Unsafe.ReadUnaligned<ulong>(a + i);
            var y = Unsafe.ReadUnaligned<ulong>(b + i);
            var t = (x ^ y) & mask;
            Unsafe.WriteUnaligned(a + i, x ^ t);
            Unsafe.WriteUnaligned(b + i, y ^ t);
        }

        var mb = (byte)mask;
        for (; i < length; i++)
        {
            var t = (byte)((a[i] ^ b[i]) & mb);
            a[i] ^= t;
            b[i] ^= t;
        }
    }

    /// <summary>Pointer form of <see cref="ConditionalZero(ulong, Span{byte})"/>.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="destination">Always read and rewritten.</param>
    /// <param name="length">Public length in bytes.</param>
    /// <remarks>Security: constant time in <paramref name="mask"/> and the contents.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void ConditionalZero(ulong mask, byte* destination, nuint length)
    {
        var keep = ~mask;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var m = Vector512.Create(keep);
            for (; i + 64 <= length; i += 64)
            {
                (Vector512.Load((ulong*)(destination + i)) & m).Store((ulong*)(destination + i));
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(keep);
            for (; i + 32 <= length; i += 32)
            {
                (Vector256.Load((ulong*)(destination + i)) & m).Store((ulong*)(destination + i));
            }
        }

        for (; i + 8 <= length; i += 8)
        {
            Unsafe.WriteUnaligned(destination + i, Unsafe.ReadUnaligned<ulong>(destination + i) & keep);
        }

        var kb = (byte)keep;
        for (; i < length; i++)
        {
            destination[i] &= kb;
        }
    }

    /// <summary>Pointer form of <see cref="AccumulateMasked(ulong, Span{byte}, ReadOnlySpan{byte})"/>.</summary>
    /// <param name="mask">A mask.</param>
    /// <param name="accumulator">Always read and rewritten.</param>
    /// <param name="source">Read once.</param>
    /// <param name="length">Public length in bytes.</param>
    /// <remarks>Security: constant time in <paramref name="mask"/> and the contents.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void AccumulateMasked(ulong mask, byte* accumulator, byte* source, nuint length)
    {
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var m = Vector512.Create(mask);
            for (; i + 64 <= length; i += 64)
            {
                var d = Vector512.Load((ulong*)(accumulator + i));
                var s = Vector512.Load((ulong*)(source + i));
                (d | (s & m)).Store((ulong*)(accumulator + i));
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(mask);
            for (; i + 32 <= length; i += 32)
            {
                var d = Vector256.Load((ulong*)(accumulator + i));
                var s = Vector256.Load((ulong*)(source + i));
                (d | (s & m)).Store((ulong*)(accumulator + i));
            }
        }

        for (; i + 8 <= length; i += 8)
        {
            var d = Unsafe.ReadUnaligned<ulong>(accumulator + i);
            var s = Unsafe.ReadUnaligned<ulong>(source + i);
            Unsafe.WriteUnaligned(accumulator + i, d | (s & mask));
        }

        var mb = (byte)mask;
        for (; i < length; i++)
        {
            accumulator[i] |= (byte)(source[i] & mb);
        }
    }

    /// <summary>Pointer form of <see cref="Equal(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</summary>
    /// <param name="a">First block.</param>
    /// <param name="b">Second block.</param>
    /// <param name="length">Public length in bytes.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: constant time in the contents.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static ulong Equal(byte* a, byte* b, nuint length)
    {
        ulong diff = 0;
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated && length >= 32)
        {
            var acc = Vector256<ulong>.Zero;
            for (; i + 32 <= length; i += 32)
            {
                acc |= Vector256.Load((ulong*)(a + i)) ^ Vector256.Load((ulong*)(b + i));
            }

            diff = acc.GetElement(0) | acc.GetElement(1) | acc.GetElement(2) | acc.GetElement(3);
        }

        for (; i + 8 <= length; i += 8)
        {
            diff |= Unsafe.ReadUnaligned<ulong>(a + i) ^ Unsafe.ReadUnaligned<ulong>(b + i);
        }

        for (; i < length; i++)
        {
            diff |= (uint)(a[i] ^ b[i]);
        }

        return Ct.IsZero(diff);
    }

    /// <summary>Pointer form of <see cref="IsZero(ReadOnlySpan{byte})"/>.</summary>
    /// <param name="a">The block.</param>
    /// <param name="length">Public length in bytes.</param>
    /// <returns>A mask.</returns>
    /// <remarks>Security: constant time in the contents.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static ulong IsZero(byte* a, nuint length)
    {
        ulong acc = 0;
        nuint i = 0;
        for (; i + 8 <= length; i += 8)
        {
            acc |= Unsafe.ReadUnaligned<ulong>(a + i);
        }

        for (; i < length; i++)
        {
            acc |= a[i];
        }

        return Ct.IsZero(acc);
    }

    /// <summary>Copies bytes unconditionally (a plain, public-pattern copy).</summary>
    /// <param name="destination">Destination.</param>
    /// <param name="source">Source.</param>
    /// <param name="length">Public length in bytes.</param>
    /// <remarks>Security: a data-independent copy; only the (public) addresses and length matter.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(byte* destination, byte* source, nuint length) =>
        NativeMemory.Copy(source, destination, length);

    /// <summary>Loads every 64-byte chunk and stores it back unchanged (benchmark memory floor).</summary>
    /// <param name="block">The block; its length a multiple of 64.</param>
    /// <param name="length">Public length in bytes.</param>
    /// <remarks>Security: a data-independent read and write of public addresses.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Touch(byte* block, nuint length)
    {
        for (nuint i = 0; i + 64 <= length; i += 64)
        {
            Vector512.Load(block + i).Store(block + i);
        }
    }

    private static void RequireSameLength(int expected, int actual, string parameterName)
    {
        if (expected != actual)
        {
            throw new ArgumentException($"Expected {expected} bytes, got {actual}.", parameterName);
        }
    }
}
