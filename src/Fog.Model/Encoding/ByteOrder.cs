namespace Fog.Model.Encoding;

/// <summary>Lexicographic order of byte strings: how MobileCoin orders compressed points (rings, outputs, key images, inputs).</summary>
public sealed class ByteOrder : IComparer<byte[]>
{
    /// <summary>The comparer.</summary>
    public static ByteOrder Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
