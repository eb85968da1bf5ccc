using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Fog.Oblivious.Oram;

/// <summary>Branch arithmetic on heap-numbered trees, without branches or table lookups.</summary>
internal static class TreeMath
{
    /// <summary>
    /// The lowest branch index (0 = leaf) at which a block assigned to <paramref name="blockLeaf"/> may
    /// live on the branch of <paramref name="branchLeaf"/>: the bit length of their XOR. A vacant slot
    /// (leaf 0) gives height + 1, i.e. nowhere on the branch.
    /// </summary>
    /// <param name="blockLeaf">The block's leaf (secret).</param>
    /// <param name="branchLeaf">The branch's leaf.</param>
    /// <returns>The index, in [0, height + 1].</returns>
    /// <remarks>Security: uses the LZCNT instruction (checked at start-up); constant time.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LowestLegalIndex(ulong blockLeaf, ulong branchLeaf) =>
        64UL - Lzcnt.X64.LeadingZeroCount(blockLeaf ^ branchLeaf);

    /// <summary>
    /// The <paramref name="iteration"/>-th leaf in reverse-lexicographic order: the iteration's low
    /// <paramref name="height"/> bits reversed, under the leaf marker bit. Consecutive evictions spread
    /// over the tree as evenly as possible (Circuit ORAM, Ring ORAM).
    /// </summary>
    /// <param name="height">Tree height.</param>
    /// <param name="iteration">Eviction counter (public).</param>
    /// <returns>A leaf node index.</returns>
    public static ulong ReverseLexicographicLeaf(int height, ulong iteration)
    {
        if (height == 0)
        {
            return 1;
        }

        var reversed = ReverseBits(iteration) >> (64 - height);
        return (1UL << height) | reversed;
    }

    private static ulong ReverseBits(ulong v)
    {
        v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
        v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((v & 0x0F0F0F0F0F0F0F0FUL) << 4);
        return System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);
    }
}
