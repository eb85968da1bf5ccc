using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Memory;
using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;

namespace Fog.Oblivious.PositionMaps;

/// <summary>
/// The base of the position-map recursion: a plain array of u32 leaves, read and rewritten in full on
/// every write (16 entries per AVX-512 step).
/// </summary>
/// <remarks>
/// Security: every entry is loaded, compared with the index through a vector equality mask, and stored
/// back, so the memory trace is the same whatever the index; the random leaf for lazy initialisation is
/// drawn on every call.
/// </remarks>
public sealed unsafe class LinearScanPositionMap : IPositionMap, IAccessFootprint
{
    private const int Lanes = 16;
    private readonly AlignedBuffer _entries;
    private readonly nuint _paddedLength;
    private readonly RandomSource _random;
    private readonly ulong _leafCount;
    private readonly AccessTrace? _trace;
    private readonly int _traceId;

    /// <summary>Creates a map of <paramref name="length"/> entries for a tree of height <paramref name="height"/>.</summary>
    /// <param name="length">Entries.</param>
    /// <param name="height">Height of the mapped tree (leaves are in [2^height, 2^(height+1))).</param>
    /// <param name="random">Source of lazy-initialisation leaves.</param>
    /// <param name="trace">Optional access trace.</param>
    /// <param name="label">Name in the trace.</param>
    public LinearScanPositionMap(ulong length, int height, RandomSource random, AccessTrace? trace = null, string label = "scan")
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, (ulong)int.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 31);
        Length = length;
        _paddedLength = (nuint)((length + Lanes - 1) / Lanes * Lanes);
        _entries = new AlignedBuffer(_paddedLength * sizeof(uint));
        _random = random;
        _leafCount = 1UL << height;
        _trace = trace;
        _traceId = trace?.Register(label, new OramGeometry(height, 0, 0)) ?? -1;
    }

    /// <inheritdoc />
    public ulong Length { get; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public uint Write(ulong index, uint newLeaf)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        var randomLeaf = (uint)(_leafCount | (_random.NextUInt64() & (_leafCount - 1)));
        var old = ScanAndReplace((uint*)_entries.Pointer, _paddedLength, (uint)index, newLeaf);
        _trace?.Record(new StorageAccess(_traceId, StorageAccessKind.LinearScan, 0, (int)Length, 0));
        return Ct.Select(Ct.Equal(old, 0), randomLeaf, old);
    }

    /// <inheritdoc />
    public void Dispose() => _entries.Dispose();

    /// <inheritdoc />
    long IAccessFootprint.FootprintScratchBytes => (long)_paddedLength * sizeof(uint);

    /// <inheritdoc />
    long IAccessFootprint.CopyFootprint(byte* scratch, Func<ulong> randomBits)
    {
        var bytes = _paddedLength * sizeof(uint);
        CtBlock.Touch(_entries.Pointer, bytes);
        return (long)bytes;
    }

    /// <summary>
    /// Replaces entry <paramref name="index"/> of <paramref name="entries"/> with <paramref name="value"/>
    /// and returns the previous entry, reading and writing all <paramref name="count"/> entries.
    /// </summary>
    /// <param name="entries">Entries (count a multiple of 16).</param>
    /// <param name="count">Public entry count.</param>
    /// <param name="index">Secret index.</param>
    /// <param name="value">Secret new value.</param>
    /// <returns>The previous value.</returns>
    /// <remarks>Security: constant time; every entry is loaded and stored.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static uint ScanAndReplace(uint* entries, nuint count, uint index, uint value)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var target = Vector512.Create(index);
            var replacement = Vector512.Create(value);
            var lane = Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            var step = Vector512.Create(16u);
            var found = Vector512<uint>.Zero;
            for (nuint i = 0; i < count; i += 16)
            {
                var m = Vector512.Equals(lane, target);
                var e = Vector512.Load(entries + i);
                found |= e & m;
                Vector512.ConditionalSelect(m, replacement, e).Store(entries + i);
                lane += step;
            }

            return OrReduce(found.GetLower()) | OrReduce(found.GetUpper());
        }
        else
        {
            var target = Vector256.Create(index);
            var replacement = Vector256.Create(value);
            var lane = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
            var step = Vector256.Create(8u);
            var found = Vector256<uint>.Zero;
            for (nuint i = 0; i < count; i += 8)
            {
                var m = Vector256.Equals(lane, target);
                var e = Vector256.Load(entries + i);
                found |= e & m;
                Vector256.ConditionalSelect(m, replacement, e).Store(entries + i);
                lane += step;
            }

            return OrReduce(found);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint OrReduce(Vector256<uint> v)
    {
        var x = v.GetLower() | v.GetUpper();
        return x.GetElement(0) | x.GetElement(1) | x.GetElement(2) | x.GetElement(3);
    }
}
