using System.Numerics;
using System.Runtime.CompilerServices;

namespace Fog.Crypto.Merlin;

/// <summary>The Keccak-f[1600] permutation (FIPS 202), the core of STROBE-128 and so of Merlin.</summary>
internal static class Keccak
{
    /// <summary>Number of 64-bit lanes in the state.</summary>
    internal const int Lanes = 25;

    private static ReadOnlySpan<ulong> RoundConstants =>
    [
        0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808aUL, 0x8000000080008000UL,
        0x000000000000808bUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
        0x000000000000008aUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000aUL,
        0x000000008000808bUL, 0x800000000000008bUL, 0x8000000000008089UL, 0x8000000000008003UL,
        0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800aUL, 0x800000008000000aUL,
        0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
    ];

    // Rotation offsets and lane order of the combined rho and pi steps, walking the pi cycle from lane 1.
    private static ReadOnlySpan<byte> RhoOffsets =>
        [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44];

    private static ReadOnlySpan<byte> PiLanes =>
        [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1];

    /// <summary>Applies the 24-round permutation to <paramref name="state"/> (25 lanes, little-endian).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Permute(Span<ulong> state)
    {
        if (state.Length != Lanes)
        {
            throw new ArgumentException("Keccak-f[1600] needs 25 lanes.", nameof(state));
        }

        Span<ulong> c = stackalloc ulong[5];
        for (var round = 0; round < 24; round++)
        {
            // theta
            for (var x = 0; x < 5; x++)
            {
                c[x] = state[x] ^ state[x + 5] ^ state[x + 10] ^ state[x + 15] ^ state[x + 20];
            }

            for (var x = 0; x < 5; x++)
            {
                var d = c[(x + 4) % 5] ^ BitOperations.RotateLeft(c[(x + 1) % 5], 1);
                for (var y = 0; y < 25; y += 5)
                {
                    state[y + x] ^= d;
                }
            }

            // rho and pi
            var current = state[1];
            for (var i = 0; i < 24; i++)
            {
                int lane = PiLanes[i];
                var next = state[lane];
                state[lane] = BitOperations.RotateLeft(current, RhoOffsets[i]);
                current = next;
            }

            // chi
            for (var y = 0; y < 25; y += 5)
            {
                for (var x = 0; x < 5; x++)
                {
                    c[x] = state[y + x];
                }

                for (var x = 0; x < 5; x++)
                {
                    state[y + x] = c[x] ^ (~c[(x + 1) % 5] & c[(x + 2) % 5]);
                }
            }

            // iota
            state[0] ^= RoundConstants[round];
        }
    }
}
