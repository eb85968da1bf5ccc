using Fog.Oblivious.Memory;

namespace Fog.Oblivious.Storage;

/// <summary>
/// A checked-out root-to-leaf branch: for each level, where its bucket's values and metadata can be
/// read and written until the branch is checked in. Index 0 is the leaf bucket, the last index the root.
/// </summary>
/// <remarks>
/// Storage decides where the buckets live: in-memory storage points straight into the tree (no copy),
/// untrusted storage points at buffers holding the decrypted buckets. Owned by one ORAM; only one
/// branch is checked out at a time.
/// </remarks>
public unsafe struct Branch
{
    private readonly byte** _data;
    private readonly byte** _meta;

    internal Branch(AlignedBuffer pointers, OramGeometry geometry)
    {
        _data = (byte**)pointers.Pointer;
        _meta = _data + geometry.BranchLength;
        Geometry = geometry;
    }

    /// <summary>The tree geometry.</summary>
    public OramGeometry Geometry { get; }

    /// <summary>Number of buckets on the branch.</summary>
    public readonly int Length => Geometry.BranchLength;

    /// <summary>The value bytes of the bucket at <paramref name="level"/> (0 = leaf).</summary>
    /// <param name="level">Branch index.</param>
    /// <returns>A span over the bucket's Z values.</returns>
    public readonly Span<byte> GetData(int level) => new(DataAt(level), Geometry.BucketDataSize);

    /// <summary>The metadata bytes of the bucket at <paramref name="level"/> (0 = leaf).</summary>
    /// <param name="level">Branch index.</param>
    /// <returns>A span over the bucket's Z slot records (leaf u64, block index u64).</returns>
    public readonly Span<byte> GetMeta(int level) => new(MetaAt(level), Geometry.BucketMetaSize);

    /// <summary>Pointer to the bucket's values.</summary>
    /// <param name="level">Branch index (public).</param>
    /// <returns>The pointer.</returns>
    internal readonly byte* DataAt(int level) => _data[level];

    /// <summary>Pointer to the bucket's metadata, as 2·Z words.</summary>
    /// <param name="level">Branch index (public).</param>
    /// <returns>The pointer.</returns>
    internal readonly ulong* MetaAt(int level) => (ulong*)_meta[level];

    /// <summary>Points level <paramref name="level"/> at a bucket.</summary>
    /// <param name="level">Branch index (public).</param>
    /// <param name="data">The bucket's values.</param>
    /// <param name="meta">The bucket's metadata.</param>
    internal readonly void Set(int level, byte* data, byte* meta)
    {
        _data[level] = data;
        _meta[level] = meta;
    }
}
