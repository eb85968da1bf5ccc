using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;

namespace Fog.Oblivious.PositionMaps;

/// <summary>
/// A position map stored in a smaller ORAM: each of its values packs <c>ValueSize / 4</c> u32 leaves
/// (256 per 1 KiB value). A write is one access to the inner ORAM plus a full scan of one value.
/// </summary>
/// <remarks>
/// Security: the inner ORAM hides which value is accessed; inside it every entry is read and rewritten
/// with vector masks; the lazy-initialisation leaf is drawn on every call.
/// </remarks>
public sealed unsafe class OramPositionMap : IPositionMap, IAccessFootprint
{
    private readonly IOram _inner;
    private readonly RandomSource _random;
    private readonly ulong _leafCount;
    private readonly int _entriesPerValue;
    private readonly int _shift;

    /// <summary>Creates a map of <paramref name="length"/> entries stored in <paramref name="inner"/>.</summary>
    /// <param name="length">Entries; at most inner length × entries per value.</param>
    /// <param name="height">Height of the mapped tree.</param>
    /// <param name="inner">ORAM holding the entries; owned.</param>
    /// <param name="random">Source of lazy-initialisation leaves.</param>
    public OramPositionMap(ulong length, int height, IOram inner, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 31);
        _entriesPerValue = inner.ValueSize / sizeof(uint);
        if (!int.IsPow2(_entriesPerValue) || _entriesPerValue < 16)
        {
            throw new ArgumentException("Inner values must hold a power of two of at least 16 entries.", nameof(inner));
        }

        if (length > inner.Length * (ulong)_entriesPerValue)
        {
            throw new ArgumentException("The inner ORAM is too small.", nameof(inner));
        }

        Length = length;
        _inner = inner;
        _random = random;
        _leafCount = 1UL << height;
        _shift = int.Log2(_entriesPerValue);
    }

    /// <inheritdoc />
    public ulong Length { get; }

    /// <inheritdoc />
    public uint Write(ulong index, uint newLeaf)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        var randomLeaf = (uint)(_leafCount | (_random.NextUInt64() & (_leafCount - 1)));
        var value = _inner.BeginAccess(index >> _shift);
        uint old;
        fixed (byte* p = value)
        {
            old = LinearScanPositionMap.ScanAndReplace((uint*)p, (nuint)_entriesPerValue, (uint)(index & (ulong)(_entriesPerValue - 1)), newLeaf);
        }

        _inner.EndAccess();
        return Ct.Select(Ct.Equal(old, 0), randomLeaf, old);
    }

    /// <inheritdoc />
    public void Dispose() => _inner.Dispose();

    /// <inheritdoc />
    long IAccessFootprint.FootprintScratchBytes => (_inner as IAccessFootprint)?.FootprintScratchBytes ?? 0;

    /// <inheritdoc />
    long IAccessFootprint.CopyFootprint(byte* scratch, Func<ulong> randomBits) =>
        (_inner as IAccessFootprint)?.CopyFootprint(scratch, randomBits) ?? 0;
}
