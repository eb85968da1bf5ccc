using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Memory;
using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Oram;

/// <summary>
/// Circuit ORAM eviction (Wang, Chan and Shi, CCS 2015). Two linear scans over metadata plan, for each
/// level, whether the deepest-going block above it should move down and where; a single root-to-leaf
/// pass then carries at most one block, picking it up and dropping it with masked copies. Each level
/// costs one read and one write of its bucket plus one held value, about (2Z + 2) value moves, instead
/// of the quadratic packing of <see cref="PathOramEvictor"/>; each value moves at most once per pass.
/// </summary>
/// <remarks>
/// <para>
/// The accessed branch is evicted (it is already checked out), then <see cref="ExtraBranchCount"/>
/// branches in reverse-lexicographic order. With Fog's tree (N/4 leaves, Z = 4) one extra branch keeps
/// the stash at a handful of blocks; the benchmark records the histogram.
/// </para>
/// <para>
/// Security: the metadata scans and the data pass visit every stash slot, every branch slot and every
/// value byte in a fixed order; all decisions are masks. Level indices and slot indices used as
/// comparands are public loop counters, never addresses chosen by secrets.
/// </para>
/// </remarks>
public unsafe struct CircuitOramEvictor : IEvictor
{
    private const ulong None = ulong.MaxValue;
    private OramGeometry _geometry;
    private int _stashSize;
    private ulong _evictions;
    private AlignedBuffer? _scratch;
    private AlignedBuffer? _hold;
    private ulong* _deepest;
    private ulong* _target;
    private ulong* _bestSlot;
    private ulong* _pick;
    private ulong* _drop;

    /// <summary>Creates the evictor.</summary>
    /// <param name="extraBranches">Deterministic extra branches evicted per access (default 1).</param>
    public CircuitOramEvictor(int extraBranches)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extraBranches);
        ExtraBranchCount = extraBranches;
    }

    /// <inheritdoc />
    public int ExtraBranchCount { get; }

    /// <inheritdoc />
    public void Initialize(OramGeometry geometry, int stashSize)
    {
        _geometry = geometry;
        _stashSize = stashSize;
        var positions = geometry.BranchLength + 1;
        var pickWords = Math.Max(stashSize, geometry.BucketCapacity);
        var words = (3 * positions) + pickWords + geometry.BucketCapacity;
        _scratch = new AlignedBuffer((nuint)words * sizeof(ulong));
        _hold = new AlignedBuffer((nuint)geometry.ValueSize);
        var p = (ulong*)_scratch.Pointer;
        _deepest = p;
        _target = p + positions;
        _bestSlot = p + (2 * positions);
        _pick = p + (3 * positions);
        _drop = _pick + pickWords;
    }

    /// <inheritdoc />
    public ulong NextExtraBranchLeaf() => TreeMath.ReverseLexicographicLeaf(_geometry.Height, _evictions++);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Evict(in Stash stash, in Branch branch, ulong leaf)
    {
        PrepareDeepest(in stash, in branch, leaf);
        PrepareTarget(in branch);
        EvictOnce(in stash, in branch);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _scratch?.Dispose();
        _hold?.Dispose();
        _scratch = null;
        _hold = null;
    }

    /// <summary>
    /// Root-to-leaf metadata scan (stash first, as position L). Afterwards <c>deepest[i]</c> is the
    /// position of the block above level i that can go deepest, if it can reach level i, else None;
    /// <c>bestSlot[i]</c> is the slot of the deepest-going block at position i.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void PrepareDeepest(in Stash stash, in Branch branch, ulong leaf)
    {
        var length = branch.Length;
        var z = _geometry.BucketCapacity;
        var goal = None;
        var source = None;

        // The stash sits above the root: position L.
        _deepest[length] = None;
        var best = None;
        var bestSlot = 0UL;
        for (var s = 0; s < _stashSize; s++)
        {
            var blockLeaf = stash.Meta[s * Stash.MetaWords];
            var legal = TreeMath.LowestLegalIndex(blockLeaf, leaf);
            var better = Ct.IsNonZero(blockLeaf) & Ct.LessThan(legal, best);
            best = Ct.Select(better, legal, best);
            bestSlot = Ct.Select(better, (ulong)s, bestSlot);
        }

        _bestSlot[length] = bestSlot;
        var deeper = Ct.LessThan(best, goal);
        goal = Ct.Select(deeper, best, goal);
        source = Ct.Select(deeper, (ulong)length, source);

        for (var level = length - 1; level >= 0; level--)
        {
            var here = (ulong)level;
            _deepest[level] = Ct.Select(Ct.LessOrEqual(goal, here), source, None);
            var meta = branch.MetaAt(level);
            best = None;
            bestSlot = 0;
            for (var s = 0; s < z; s++)
            {
                var blockLeaf = meta[s * Stash.MetaWords];
                var legal = TreeMath.LowestLegalIndex(blockLeaf, leaf);
                var better = Ct.IsNonZero(blockLeaf) & Ct.LessThan(legal, best);
                best = Ct.Select(better, legal, best);
                bestSlot = Ct.Select(better, (ulong)s, bestSlot);
            }

            _bestSlot[level] = bestSlot;
            deeper = Ct.LessThan(best, goal) & Ct.LessThan(best, here);
            goal = Ct.Select(deeper, best, goal);
            source = Ct.Select(deeper, here, source);
        }
    }

    /// <summary>
    /// Leaf-to-root metadata scan. Afterwards <c>target[i]</c> is the level the block picked up at
    /// position i must be dropped at, or None when nothing is picked up there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void PrepareTarget(in Branch branch)
    {
        var length = branch.Length;
        var z = _geometry.BucketCapacity;
        var destination = None;
        var source = None;
        for (var level = 0; level < length; level++)
        {
            var here = (ulong)level;
            var isSource = Ct.Equal(here, source);
            _target[level] = Ct.Select(isSource, destination, None);
            destination = Ct.Select(isSource, None, destination);
            source = Ct.Select(isSource, None, source);

            var meta = branch.MetaAt(level);
            var hasVacancy = 0UL;
            for (var s = 0; s < z; s++)
            {
                hasVacancy |= Ct.IsZero(meta[s * Stash.MetaWords]);
            }

            var vacancy = (Ct.Equal(destination, None) & hasVacancy) | isSource;
            var future = vacancy & Ct.NotEqual(_deepest[level], None);
            source = Ct.Select(future, _deepest[level], source);
            destination = Ct.Select(future, here, destination);
        }

        _target[length] = Ct.Select(Ct.Equal((ulong)length, source), destination, None);
    }

    /// <summary>The data pass: pick up and drop at most one block per level, root to leaf.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void EvictOnce(in Stash stash, in Branch branch)
    {
        var length = branch.Length;
        var z = _geometry.BucketCapacity;
        var valueSize = (nuint)_geometry.ValueSize;
        var hold = _hold!.Pointer;

        // Stash: gather the picked block (if any) into the hold buffer.
        var pickAny = Ct.NotEqual(_target[length], None);
        NativeMemoryClear(hold, valueSize);
        var holdLeaf = 0UL;
        var holdId = 0UL;
        for (var s = 0; s < _stashSize; s++)
        {
            var meta = stash.Meta + (s * Stash.MetaWords);
            var m = pickAny & Ct.Equal((ulong)s, _bestSlot[length]);
            CtBlock.AccumulateMasked(m, hold, stash.Data + ((nuint)s * valueSize), valueSize);
            holdLeaf |= meta[0] & m;
            holdId |= meta[1] & m;
            meta[0] = Ct.Select(m, 0UL, meta[0]);
        }

        var holdValid = pickAny;
        var holdDestination = _target[length];

        for (var level = length - 1; level >= 0; level--)
        {
            var here = (ulong)level;
            var meta = branch.MetaAt(level);
            var write = holdValid & Ct.Equal(here, holdDestination);
            pickAny = Ct.NotEqual(_target[level], None);

            // Metadata: which slot is picked up, then which vacant slot receives the held block.
            var pickedLeaf = 0UL;
            var pickedId = 0UL;
            for (var s = 0; s < z; s++)
            {
                var slot = meta + (s * Stash.MetaWords);
                var m = pickAny & Ct.Equal((ulong)s, _bestSlot[level]);
                _pick[s] = m;
                pickedLeaf |= slot[0] & m;
                pickedId |= slot[1] & m;
                slot[0] = Ct.Select(m, 0UL, slot[0]);
            }

            var placed = ~write;
            for (var s = 0; s < z; s++)
            {
                var slot = meta + (s * Stash.MetaWords);
                var m = ~placed & Ct.IsZero(slot[0]);
                _drop[s] = m;
                placed |= m;
                slot[0] = Ct.Select(m, holdLeaf, slot[0]);
                slot[1] = Ct.Select(m, holdId, slot[1]);
            }

            MoveLevel(branch.DataAt(level), hold, z, valueSize, pickAny);

            holdLeaf = Ct.Select(pickAny, pickedLeaf, Ct.Select(write, 0UL, holdLeaf));
            holdId = Ct.Select(pickAny, pickedId, Ct.Select(write, 0UL, holdId));
            holdValid = pickAny | (holdValid & ~write);
            holdDestination = Ct.Select(pickAny, _target[level], Ct.Select(write, None, holdDestination));
        }
    }

    /// <summary>
    /// For every 64-byte chunk: read each slot once, OR the picked slot into a temporary, overwrite the
    /// drop slot with the held chunk, then replace the held chunk with the picked one when something
    /// was picked. Every slot chunk and the held chunk are read and written exactly once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void MoveLevel(byte* bucket, byte* hold, int z, nuint valueSize, ulong pickAny)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var anyMask = Vector512.Create(pickAny);
            for (nuint c = 0; c < valueSize; c += 64)
            {
                var held = Vector512.Load((ulong*)(hold + c));
                var picked = Vector512<ulong>.Zero;
                for (var s = 0; s < z; s++)
                {
                    var p = (ulong*)(bucket + ((nuint)s * valueSize) + c);
                    var v = Vector512.Load(p);
                    picked |= v & Vector512.Create(_pick[s]);
                    Vector512.ConditionalSelect(Vector512.Create(_drop[s]), held, v).Store(p);
                }

                Vector512.ConditionalSelect(anyMask, picked, held).Store((ulong*)(hold + c));
            }
        }
        else
        {
            var anyMask = Vector256.Create(pickAny);
            for (nuint c = 0; c < valueSize; c += 32)
            {
                var held = Vector256.Load((ulong*)(hold + c));
                var picked = Vector256<ulong>.Zero;
                for (var s = 0; s < z; s++)
                {
                    var p = (ulong*)(bucket + ((nuint)s * valueSize) + c);
                    var v = Vector256.Load(p);
                    picked |= v & Vector256.Create(_pick[s]);
                    Vector256.ConditionalSelect(Vector256.Create(_drop[s]), held, v).Store(p);
                }

                Vector256.ConditionalSelect(anyMask, picked, held).Store((ulong*)(hold + c));
            }
        }
    }

    private static void NativeMemoryClear(byte* p, nuint length) => System.Runtime.InteropServices.NativeMemory.Clear(p, length);
}
