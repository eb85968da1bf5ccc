namespace Fog.Oblivious.Storage;

/// <summary>
/// The public shape of an ORAM tree: height, bucket capacity (Z) and value size. Nodes use heap
/// numbering (root 1, children 2x and 2x+1); leaves are the nodes in [2^Height, 2^(Height+1)).
/// </summary>
/// <param name="Height">Tree height; a branch has <c>Height + 1</c> buckets.</param>
/// <param name="BucketCapacity">Values per bucket (Z).</param>
/// <param name="ValueSize">Bytes per value; a multiple of 8 (64 for the vector paths).</param>
public readonly record struct OramGeometry(int Height, int BucketCapacity, int ValueSize)
{
    /// <summary>Bytes of metadata per value slot: the leaf (u64, 0 = vacant) and the block index (u64).</summary>
    public const int SlotMetaSize = 16;

    /// <summary>Buckets on one root-to-leaf branch.</summary>
    public int BranchLength => Height + 1;

    /// <summary>Number of leaves.</summary>
    public ulong LeafCount => 1UL << Height;

    /// <summary>Node array length (index 0 unused).</summary>
    public ulong NodeCount => 2UL << Height;

    /// <summary>Bytes of value data per bucket (Z · value size).</summary>
    public int BucketDataSize => BucketCapacity * ValueSize;

    /// <summary>Bytes of metadata per bucket (Z · 16).</summary>
    public int BucketMetaSize => BucketCapacity * SlotMetaSize;

    /// <summary>
    /// The geometry Fog uses for <paramref name="blockCount"/> blocks: height log2(N) − log2(Z)
    /// (N/Z leaves, about 2N slots), as mc-oblivious configures it.
    /// </summary>
    /// <param name="blockCount">Number of logical blocks; a power of two.</param>
    /// <param name="bucketCapacity">Z, a power of two.</param>
    /// <param name="valueSize">Bytes per value.</param>
    /// <returns>The geometry.</returns>
    /// <exception cref="ArgumentException">A size is not a power of two or is out of range.</exception>
    public static OramGeometry ForBlockCount(ulong blockCount, int bucketCapacity, int valueSize)
    {
        if (blockCount == 0 || !ulong.IsPow2(blockCount))
        {
            throw new ArgumentException("The block count must be a power of two.", nameof(blockCount));
        }

        if (bucketCapacity < 1 || !int.IsPow2(bucketCapacity))
        {
            throw new ArgumentException("The bucket capacity must be a power of two.", nameof(bucketCapacity));
        }

        if (valueSize < 8 || valueSize % 8 != 0)
        {
            throw new ArgumentException("The value size must be a positive multiple of 8.", nameof(valueSize));
        }

        var height = Math.Max(0, (int)ulong.Log2(blockCount) - int.Log2(bucketCapacity));
        if (height > 31)
        {
            throw new ArgumentException("Trees taller than 31 levels need 64-bit positions, which are not supported.", nameof(blockCount));
        }

        return new OramGeometry(height, bucketCapacity, valueSize);
    }
}
