using System.Runtime.CompilerServices;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Oram;

/// <summary>
/// The reference Path ORAM eviction, as mc-oblivious implements it: first "pack" the branch (each
/// slot, from just above the leaf up to the root, is conditionally inserted into the first vacant
/// legal slot nearer the leaf), then conditionally insert every stash slot into the branch. Every
/// candidate move is a full conditional copy of a value, so an access costs about Z²·L(L−1)/2 + S·L·Z
/// value moves (≈ 5 MB at L = 18). Kept as the correctness and performance baseline.
/// </summary>
/// <remarks>
/// Security: every slot of the branch and the stash is visited in a fixed order and every candidate
/// destination is read and written whatever the metadata says; decisions live in masks.
/// </remarks>
public unsafe struct PathOramEvictor : IEvictor
{
    private OramGeometry _geometry;
    private ulong _evictions;

    /// <summary>Creates the evictor, optionally also evicting deterministic extra branches.</summary>
    /// <param name="extraBranches">Extra reverse-lexicographic branches per access (the reference uses 0).</param>
    public PathOramEvictor(int extraBranches)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extraBranches);
        ExtraBranchCount = extraBranches;
    }

    /// <inheritdoc />
    public int ExtraBranchCount { get; }

    /// <inheritdoc />
    public void Initialize(OramGeometry geometry, int stashSize) => _geometry = geometry;

    /// <inheritdoc />
    public ulong NextExtraBranchLeaf() => TreeMath.ReverseLexicographicLeaf(_geometry.Height, _evictions++);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Evict(in Stash stash, in Branch branch, ulong leaf)
    {
        var z = _geometry.BucketCapacity;
        var valueSize = _geometry.ValueSize;
        var length = branch.Length;

        // Pack: move each branch slot as deep as it may go, scanning only the buckets below it.
        for (var level = 1; level < length; level++)
        {
            var data = branch.DataAt(level);
            var meta = branch.MetaAt(level);
            for (var slot = 0; slot < z; slot++)
            {
                InsertIntoBranch(in branch, leaf, level, data + (slot * valueSize), meta + (slot * Stash.MetaWords));
            }
        }

        // Then insert every stash slot anywhere on the branch.
        for (var s = 0; s < stash.Size; s++)
        {
            InsertIntoBranch(in branch, leaf, length, stash.Data + (s * valueSize), stash.Meta + (s * Stash.MetaWords));
        }
    }

    /// <inheritdoc />
    public readonly void Dispose()
    {
    }

    /// <summary>
    /// Conditionally moves the block in (<paramref name="sourceData"/>, <paramref name="sourceMeta"/>) into
    /// the first vacant slot, scanning from the leaf, among buckets [lowest legal, <paramref name="limit"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void InsertIntoBranch(in Branch branch, ulong leaf, int limit, byte* sourceData, ulong* sourceMeta)
    {
        var z = _geometry.BucketCapacity;
        var valueSize = (nuint)_geometry.ValueSize;
        var blockLeaf = sourceMeta[0];
        var blockId = sourceMeta[1];
        var valid = Ct.IsNonZero(blockLeaf);
        var lowest = TreeMath.LowestLegalIndex(blockLeaf, leaf);
        var done = ~valid;
        for (var level = 0; level < limit; level++)
        {
            var legal = Ct.LessOrEqual(lowest, (ulong)level);
            var data = branch.DataAt(level);
            var meta = branch.MetaAt(level);
            for (var slot = 0; slot < z; slot++)
            {
                var slotMeta = meta + (slot * Stash.MetaWords);
                var m = ~done & legal & Ct.IsZero(slotMeta[0]);
                CtBlock.ConditionalCopy(m, data + ((nuint)slot * valueSize), sourceData, valueSize);
                slotMeta[0] = Ct.Select(m, blockLeaf, slotMeta[0]);
                slotMeta[1] = Ct.Select(m, blockId, slotMeta[1]);
                done |= m;
            }
        }

        var moved = done & valid;
        sourceMeta[0] = Ct.Select(moved, 0UL, blockLeaf);
    }
}
