using System.Runtime.CompilerServices;
using Fog.Oblivious.Memory;

namespace Fog.Oblivious.Storage;

/// <summary>
/// In-memory storage: the whole tree in trusted memory, unencrypted. Checkout hands out pointers into
/// the tree itself, so nothing is copied.
/// </summary>
/// <remarks>
/// Security: suitable where the memory is protected by hardware (SGX EPC, a confidential VM) or for
/// tests. It reveals the touched branch (public in Path ORAM) and nothing else.
/// </remarks>
public unsafe struct HeapOramStorage : IOramStorage
{
    private readonly AlignedBuffer _data;
    private readonly AlignedBuffer _meta;
    private readonly AccessTrace? _trace;
    private readonly int _traceId;

    /// <summary>Allocates a zeroed tree.</summary>
    /// <param name="geometry">Tree shape.</param>
    /// <param name="options">Prefault and trace settings (kind is ignored).</param>
    /// <param name="label">Name used in the access trace.</param>
    public HeapOramStorage(OramGeometry geometry, OramStorageOptions options, string label)
    {
        ArgumentNullException.ThrowIfNull(options);
        Geometry = geometry;
        _data = new AlignedBuffer((nuint)geometry.NodeCount * (nuint)geometry.BucketDataSize, options.Prefault);
        _meta = new AlignedBuffer((nuint)geometry.NodeCount * (nuint)geometry.BucketMetaSize, options.Prefault);
        _trace = options.Trace;
        _traceId = _trace?.Register(label, geometry) ?? -1;
    }

    /// <inheritdoc />
    public OramGeometry Geometry { get; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Checkout(ulong leaf, in Branch branch)
    {
        var length = Geometry.BranchLength;
        var dataSize = (nuint)Geometry.BucketDataSize;
        var metaSize = (nuint)Geometry.BucketMetaSize;
        for (var i = 0; i < length; i++)
        {
            var node = (nuint)(leaf >> i);
            var data = _data.Pointer + (node * dataSize);
            var meta = _meta.Pointer + (node * metaSize);
            branch.Set(i, data, meta);
            Prefetch.Bucket(data, dataSize, meta, metaSize);
        }

        _trace?.Record(new StorageAccess(_traceId, StorageAccessKind.Checkout, leaf, length, 0));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Checkin(ulong leaf, in Branch branch) =>
        _trace?.Record(new StorageAccess(_traceId, StorageAccessKind.Checkin, leaf, Geometry.BranchLength, 0));

    /// <summary>Direct pointer to a bucket's values (benchmark memory floor, diagnostics).</summary>
    /// <param name="node">Node index.</param>
    /// <returns>The pointer.</returns>
    internal readonly byte* BucketData(ulong node) => _data.Pointer + ((nuint)node * (nuint)Geometry.BucketDataSize);

    /// <summary>Direct pointer to a bucket's metadata (diagnostics).</summary>
    /// <param name="node">Node index.</param>
    /// <returns>The pointer.</returns>
    internal readonly byte* BucketMeta(ulong node) => _meta.Pointer + ((nuint)node * (nuint)Geometry.BucketMetaSize);

    /// <inheritdoc />
    public readonly void Dispose()
    {
        _data?.Dispose();
        _meta?.Dispose();
    }
}
