namespace Fog.Storage.Recovery;

/// <summary>A half-open range of block indices <c>[Start, End)</c> (<c>fog_common.BlockRange</c>).</summary>
public readonly record struct BlockRange
{
    /// <summary>The range <c>[start, end)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="end"/> is below <paramref name="start"/>.</exception>
    public BlockRange(ulong start, ulong end)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        Start = start;
        End = end;
    }

    /// <summary>The empty range <c>[0, 0)</c>.</summary>
    public static BlockRange Empty => default;

    /// <summary>The first block in the range.</summary>
    public ulong Start { get; }

    /// <summary>One past the last block in the range.</summary>
    public ulong End { get; }

    /// <summary>The number of blocks in the range.</summary>
    public ulong Length => End - Start;

    /// <summary>True when the range holds no block.</summary>
    public bool IsEmpty => End == Start;

    /// <summary>True when <paramref name="blockIndex"/> is in the range.</summary>
    public bool Contains(ulong blockIndex) => blockIndex >= Start && blockIndex < End;

    /// <summary>True when the two ranges share at least one block.</summary>
    public bool Overlaps(BlockRange other) => !IsEmpty && !other.IsEmpty && Start < other.End && other.Start < End;

    /// <inheritdoc />
    public override string ToString() => $"[{Start}, {End})";
}
