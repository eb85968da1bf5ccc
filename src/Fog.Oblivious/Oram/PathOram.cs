using System.Runtime.CompilerServices;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Memory;
using Fog.Oblivious.PositionMaps;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Oram;

/// <summary>
/// Path ORAM (Stefanov et al.) over fixed-size values with a linear stash, a recursive position map and
/// a pluggable eviction strategy. Specialised by the JIT for each storage and evictor struct.
/// </summary>
/// <typeparam name="TStorage">Bucket storage.</typeparam>
/// <typeparam name="TEvictor">Eviction strategy.</typeparam>
/// <remarks>
/// <para>
/// An access: draw a fresh random leaf; swap it into the position map, getting the old leaf (a random
/// leaf if the block was never written, so never-written blocks read as zeros along a random branch);
/// check out the old leaf's branch; scan every branch slot and every stash slot, gathering the block
/// with masks and marking its slot vacant; hand the value to the caller; put it in the first vacant
/// stash slot with the new leaf; evict into the branch; check it in; evict any extra branches.
/// </para>
/// <para>
/// Security: the storage sees one branch per access (plus the evictor's public extra branches), and
/// the leaf is uniformly random and independent of the index and of past accesses. Inside, every slot
/// is visited and every value byte moved with masked selects. The only secret-dependent branch is the
/// fail-stop on stash overflow, which throws <see cref="StashOverflowException"/> and disables the ORAM.
/// </para>
/// </remarks>
public sealed unsafe class PathOram<TStorage, TEvictor> : IOram, IOramDiagnostics, IAccessFootprint
    where TStorage : struct, IOramStorage
    where TEvictor : struct, IEvictor
{
    private readonly IPositionMap _positionMap;
    private readonly RandomSource _random;
    private readonly OramGeometry _geometry;
    private readonly AlignedBuffer _stashData;
    private readonly AlignedBuffer _stashMeta;
    private readonly AlignedBuffer _work;
    private readonly AlignedBuffer _branchPointers;
#pragma warning disable IDE0044 // Mutable structs: calling their (mutating) methods on a readonly field would act on a copy.
    private TStorage _storage;
    private TEvictor _evictor;
#pragma warning restore IDE0044
    private readonly Stash _stash;
    private readonly Branch _branch;
    private ulong _pendingIndex;
    private ulong _pendingOldLeaf;
    private ulong _pendingNewLeaf;
    private bool _accessOpen;
    private bool _failed;
    private bool _disposed;

    /// <summary>Assembles an ORAM from its parts (see <see cref="OramFactory"/> for the usual way).</summary>
    /// <param name="length">Number of values; must fit the storage geometry (at most 2·Z·leaves, usually N with N/Z leaves).</param>
    /// <param name="storage">Bucket storage; owned and disposed by the ORAM.</param>
    /// <param name="evictor">Eviction strategy; owned and disposed by the ORAM.</param>
    /// <param name="positionMap">Position map with <paramref name="length"/> entries for leaves of this tree; owned.</param>
    /// <param name="random">CSPRNG for leaves; shared, not owned.</param>
    /// <param name="stashSize">Stash slots (Fog uses 32).</param>
    public PathOram(ulong length, TStorage storage, TEvictor evictor, IPositionMap positionMap, RandomSource random, int stashSize)
    {
        ArgumentNullException.ThrowIfNull(positionMap);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(stashSize, 1);
        PlatformRequirements.EnsureSupported();
        _geometry = storage.Geometry;
        if (_geometry.ValueSize % 64 != 0)
        {
            throw new ArgumentException("Path ORAM values must be a multiple of 64 bytes.", nameof(storage));
        }

        if (positionMap.Length != length || length == 0)
        {
            throw new ArgumentException("The position map must have one entry per value.", nameof(positionMap));
        }

        Length = length;
        _storage = storage;
        _evictor = evictor;
        _positionMap = positionMap;
        _random = random;
        StashSize = stashSize;
        _stashData = new AlignedBuffer((nuint)stashSize * (nuint)_geometry.ValueSize);
        _stashMeta = new AlignedBuffer((nuint)stashSize * OramGeometry.SlotMetaSize);
        _work = new AlignedBuffer((nuint)_geometry.ValueSize);
        _branchPointers = new AlignedBuffer((nuint)(2 * _geometry.BranchLength * sizeof(nint)));
        _stash = new Stash(_stashData, _stashMeta, stashSize, _geometry.ValueSize);
        _branch = new Branch(_branchPointers, _geometry);
        _evictor.Initialize(_geometry, stashSize);
    }

    /// <inheritdoc />
    public ulong Length { get; }

    /// <inheritdoc />
    public int ValueSize => _geometry.ValueSize;

    /// <summary>The tree shape.</summary>
    public OramGeometry Geometry => _geometry;

    /// <summary>Stash slots.</summary>
    public int StashSize { get; }

    /// <summary>
    /// Called after every stash insertion with the stash occupancy at that moment (its peak within the
    /// access). VarTime diagnostics: the occupancy is secret; for tests and benchmarks only.
    /// </summary>
    public Action<int>? VarTimeStashObserver { get; set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Span<byte> BeginAccess(ulong index)
    {
        EnsureUsable();
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        if (_accessOpen)
        {
            throw new InvalidOperationException("An access is already open on this ORAM.");
        }

        try
        {
            var newLeaf = RandomLeaf();
            var oldLeaf = _positionMap.Write(index, (uint)newLeaf);
            _storage.Checkout(oldLeaf, in _branch);
            FindAndRemove(index);
            _pendingIndex = index;
            _pendingOldLeaf = oldLeaf;
            _pendingNewLeaf = newLeaf;
            _accessOpen = true;
            return new Span<byte>(_work.Pointer, _geometry.ValueSize);
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EndAccess()
    {
        EnsureUsable();
        if (!_accessOpen)
        {
            throw new InvalidOperationException("No access is open on this ORAM.");
        }

        _accessOpen = false;
        try
        {
            InsertIntoStash(_pendingIndex, _pendingNewLeaf);
            _evictor.Evict(in _stash, in _branch, _pendingOldLeaf);
            _storage.Checkin(_pendingOldLeaf, in _branch);
            for (var i = 0; i < _evictor.ExtraBranchCount; i++)
            {
                var leaf = _evictor.NextExtraBranchLeaf();
                _storage.Checkout(leaf, in _branch);
                _evictor.Evict(in _stash, in _branch, leaf);
                _storage.Checkin(leaf, in _branch);
            }
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _storage.Dispose();
        _evictor.Dispose();
        _positionMap.Dispose();
        _stashData.Dispose();
        _stashMeta.Dispose();
        _work.Dispose();
        _branchPointers.Dispose();
    }

    /// <summary>Counts stash blocks. VarTime: the result is secret; diagnostics only.</summary>
    /// <returns>The occupancy.</returns>
    public int VarTimeStashOccupancy() => _stash.VarTimeOccupancy();

    /// <summary>
    /// Checks the tree invariant by walking all storage: every live block sits on the branch of its
    /// current leaf and appears once. VarTime and slow; tests only. Works with any storage.
    /// </summary>
    /// <returns>The number of live blocks in tree and stash.</returns>
    /// <exception cref="InvalidOperationException">The invariant is broken.</exception>
    public long VarTimeCheckInvariant()
    {
        var seen = new HashSet<ulong>();
        for (var s = 0; s < StashSize; s++)
        {
            var leaf = _stash.Meta[s * Stash.MetaWords];
            if (leaf != 0 && !seen.Add(_stash.Meta[(s * Stash.MetaWords) + 1]))
            {
                throw new InvalidOperationException("Block present twice.");
            }
        }

        for (var leaf = _geometry.LeafCount; leaf < 2 * _geometry.LeafCount; leaf++)
        {
            _storage.Checkout(leaf, in _branch);
            for (var level = 0; level < _geometry.BranchLength; level++)
            {
                // Each node is visited from its leftmost leaf only, so count it there.
                var node = leaf >> level;
                if ((leaf & ((1UL << level) - 1)) != 0)
                {
                    continue;
                }

                var meta = _branch.MetaAt(level);
                for (var s = 0; s < _geometry.BucketCapacity; s++)
                {
                    var blockLeaf = meta[s * Stash.MetaWords];
                    if (blockLeaf == 0)
                    {
                        continue;
                    }

                    if (blockLeaf >> level != node)
                    {
                        throw new InvalidOperationException($"Block assigned to leaf {blockLeaf} found off its branch at node {node}.");
                    }

                    if (!seen.Add(meta[(s * Stash.MetaWords) + 1]))
                    {
                        throw new InvalidOperationException("Block present twice.");
                    }
                }
            }

            _storage.Checkin(leaf, in _branch);
        }

        return seen.Count;
    }

    /// <inheritdoc />
    long IAccessFootprint.FootprintScratchBytes => Math.Max(
        (long)_geometry.BucketDataSize + _geometry.BucketMetaSize,
        (_positionMap as IAccessFootprint)?.FootprintScratchBytes ?? 0);

    /// <inheritdoc />
    long IAccessFootprint.CopyFootprint(byte* scratch, Func<ulong> randomBits)
    {
        // Every byte of the footprint is loaded once and stored back once, in place: the least any
        // ORAM access on this memory can do.
        var copied = (_positionMap as IAccessFootprint)?.CopyFootprint(scratch, randomBits) ?? 0;
        var dataSize = (nuint)_geometry.BucketDataSize;
        var metaSize = (nuint)_geometry.BucketMetaSize;
        for (var b = 0; b <= _evictor.ExtraBranchCount; b++)
        {
            var leaf = _geometry.LeafCount | (randomBits() & (_geometry.LeafCount - 1));
            _storage.Checkout(leaf, in _branch);
            for (var level = 0; level < _geometry.BranchLength; level++)
            {
                CtBlock.Touch(_branch.DataAt(level), dataSize);
                CtBlock.Touch((byte*)_branch.MetaAt(level), metaSize);
            }

            _storage.Checkin(leaf, in _branch);
            copied += (long)((dataSize + metaSize) * (nuint)_geometry.BranchLength);
        }

        return copied;
    }

    private void EnsureUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
        {
            throw new InvalidOperationException("This ORAM failed (stash overflow or storage integrity) and cannot be used.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong RandomLeaf() => _geometry.LeafCount | (_random.NextUInt64() & (_geometry.LeafCount - 1));

    /// <summary>Gathers block <paramref name="index"/> from the branch and the stash into the work buffer and vacates its slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FindAndRemove(ulong index)
    {
        var valueSize = (nuint)_geometry.ValueSize;
        var z = _geometry.BucketCapacity;
        var work = _work.Pointer;
        System.Runtime.InteropServices.NativeMemory.Clear(work, valueSize);
        for (var level = 0; level < _geometry.BranchLength; level++)
        {
            var data = _branch.DataAt(level);
            var meta = _branch.MetaAt(level);
            for (var s = 0; s < z; s++)
            {
                var slot = meta + (s * Stash.MetaWords);
                var m = Ct.Equal(slot[1], index) & Ct.IsNonZero(slot[0]);
                CtBlock.AccumulateMasked(m, work, data + ((nuint)s * valueSize), valueSize);
                slot[0] = Ct.Select(m, 0UL, slot[0]);
            }
        }

        for (var s = 0; s < StashSize; s++)
        {
            var slot = _stash.Meta + (s * Stash.MetaWords);
            var m = Ct.Equal(slot[1], index) & Ct.IsNonZero(slot[0]);
            CtBlock.AccumulateMasked(m, work, _stash.Data + ((nuint)s * valueSize), valueSize);
            slot[0] = Ct.Select(m, 0UL, slot[0]);
        }
    }

    /// <summary>Puts the work buffer into the first vacant stash slot; fail-stop when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void InsertIntoStash(ulong index, ulong leaf)
    {
        var valueSize = (nuint)_geometry.ValueSize;
        var work = _work.Pointer;
        var done = 0UL;
        for (var s = 0; s < StashSize; s++)
        {
            var slot = _stash.Meta + (s * Stash.MetaWords);
            var m = ~done & Ct.IsZero(slot[0]);
            CtBlock.ConditionalCopy(m, _stash.Data + ((nuint)s * valueSize), work, valueSize);
            slot[0] = Ct.Select(m, leaf, slot[0]);
            slot[1] = Ct.Select(m, index, slot[1]);
            done |= m;
        }

        VarTimeStashObserver?.Invoke(_stash.VarTimeOccupancy());

        // Fail-stop: the single secret-dependent branch, taken with negligible probability.
        if (done == 0)
        {
            throw new StashOverflowException($"The ORAM stash ({StashSize} slots) overflowed; this ORAM is no longer usable.");
        }
    }
}
