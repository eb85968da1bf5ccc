using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Fog.Oblivious.Maps;

/// <summary>
/// SipHash (Aumasson and Bernstein), a keyed PRF on short inputs: SipHash-1-3 (what the reference's
/// cuckoo table uses) and SipHash-2-4 (the conservative variant). 64-bit output, 128-bit key
/// (k0, k1 as little-endian words).
/// </summary>
/// <remarks>
/// Security: add-rotate-xor only, no tables or branches on the data; the time depends only on the
/// (public) input length. The key must be secret for the map's obliviousness argument (bucket choices
/// look random to anyone without it).
/// </remarks>
public static class SipHash
{
    /// <summary>SipHash-1-3 of <paramref name="data"/>.</summary>
    /// <param name="k0">First key word.</param>
    /// <param name="k1">Second key word.</param>
    /// <param name="data">Input.</param>
    /// <returns>The 64-bit tag.</returns>
    /// <remarks>Security: constant time for a given input length.</remarks>
    public static ulong Hash13(ulong k0, ulong k1, ReadOnlySpan<byte> data) => Hash(k0, k1, data, 1, 3);

    /// <summary>SipHash-2-4 of <paramref name="data"/>.</summary>
    /// <param name="k0">First key word.</param>
    /// <param name="k1">Second key word.</param>
    /// <param name="data">Input.</param>
    /// <returns>The 64-bit tag.</returns>
    /// <remarks>Security: constant time for a given input length.</remarks>
    public static ulong Hash24(ulong k0, ulong k1, ReadOnlySpan<byte> data) => Hash(k0, k1, data, 2, 4);

    /// <summary>SipHash-c-d of <paramref name="data"/>.</summary>
    /// <param name="k0">First key word.</param>
    /// <param name="k1">Second key word.</param>
    /// <param name="data">Input.</param>
    /// <param name="compressionRounds">c: rounds per message word.</param>
    /// <param name="finalizationRounds">d: rounds at the end.</param>
    /// <returns>The 64-bit tag.</returns>
    /// <remarks>Security: constant time for a given input length and round counts.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Hash(ulong k0, ulong k1, ReadOnlySpan<byte> data, int compressionRounds, int finalizationRounds)
    {
        var v0 = k0 ^ 0x736f6d6570736575UL;
        var v1 = k1 ^ 0x646f72616e646f6dUL;
        var v2 = k0 ^ 0x6c7967656e657261UL;
        var v3 = k1 ^ 0x7465646279746573UL;

        var full = data.Length & ~7;
        for (var i = 0; i < full; i += 8)
        {
            var m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            for (var r = 0; r < compressionRounds; r++)
            {
                Round(ref v0, ref v1, ref v2, ref v3);
            }

            v0 ^= m;
        }

        var last = (ulong)(data.Length & 0xff) << 56;
        for (var i = full; i < data.Length; i++)
        {
            last |= (ulong)data[i] << (8 * (i - full));
        }

        v3 ^= last;
        for (var r = 0; r < compressionRounds; r++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }

        v0 ^= last;
        v2 ^= 0xff;
        for (var r = 0; r < finalizationRounds; r++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }

        return v0 ^ v1 ^ v2 ^ v3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
