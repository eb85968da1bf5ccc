using System.Buffers.Binary;
using System.Security.Cryptography;
using Fog.Oblivious.Memory;
using Fog.Oblivious.Randomness;

namespace Fog.Oblivious.Storage;

/// <summary>
/// Storage that keeps the top <c>t</c> levels of the tree in trusted memory and every deeper bucket in
/// untrusted (host) memory, encrypted and authenticated with AES-256-GCM.
/// </summary>
/// <remarks>
/// <para>
/// Each untrusted bucket (values and metadata together) is sealed under a per-storage random key with
/// nonce = node index (u32) ‖ version (u64). The version of every untrusted bucket is kept in trusted
/// memory and incremented on every write, so nonces never repeat and the host cannot alter a bucket
/// (tag fails), move one bucket to another position (nonce differs), or replay an older copy (version
/// differs): each raises <see cref="OramIntegrityException"/>. A bucket whose version is 0 was never
/// written and reads as zeros whatever the host returns.
/// </para>
/// <para>
/// Security: the host learns which branch is read and written (public in Path ORAM) and the ciphertexts.
/// The host is always asked for every untrusted bucket of the branch, whether or not it has been
/// written, so the request pattern depends only on the leaf. Integrity failures are fatal.
/// </para>
/// </remarks>
public unsafe struct UntrustedOramStorage : IOramStorage
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly AlignedBuffer _topData;
    private readonly AlignedBuffer _topMeta;
    private readonly AlignedBuffer _versions;
    private readonly AlignedBuffer _plaintext;
    private readonly AlignedBuffer _records;
    private readonly ulong[] _indices;
    private readonly IUntrustedBucketStore _host;
    private readonly AesGcm _aes;
    private readonly ulong _topCount;
    private readonly int _untrustedLevels;
    private readonly int _plainSize;
    private readonly int _recordSize;
    private readonly AccessTrace? _trace;
    private readonly int _traceId;

    /// <summary>Creates the storage and its host side.</summary>
    /// <param name="geometry">Tree shape.</param>
    /// <param name="options">Trusted-top size, host factory, prefault and trace.</param>
    /// <param name="random">Source of the storage's AES key.</param>
    /// <param name="label">Name used in the access trace.</param>
    public UntrustedOramStorage(OramGeometry geometry, OramStorageOptions options, RandomSource random, string label)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        Geometry = geometry;
        TrustedLevels = options.ResolveTrustedTopLevels(geometry);
        _topCount = 1UL << TrustedLevels;
        _untrustedLevels = geometry.BranchLength - TrustedLevels;
        _plainSize = geometry.BucketDataSize + geometry.BucketMetaSize;
        _recordSize = _plainSize + TagSize;
        _topData = new AlignedBuffer((nuint)_topCount * (nuint)geometry.BucketDataSize, options.Prefault);
        _topMeta = new AlignedBuffer((nuint)_topCount * (nuint)geometry.BucketMetaSize, options.Prefault);
        var untrustedNodes = (long)(geometry.NodeCount - _topCount);
        _versions = new AlignedBuffer((nuint)untrustedNodes * sizeof(ulong), options.Prefault);
        _plaintext = new AlignedBuffer((nuint)(_untrustedLevels * _plainSize));
        _records = new AlignedBuffer((nuint)(_untrustedLevels * _recordSize));
        _indices = new ulong[_untrustedLevels];
        _host = options.HostFactory?.Invoke(untrustedNodes, _recordSize)
            ?? new HostMemoryBucketStore(untrustedNodes, _recordSize, options.Prefault);
        Span<byte> key = stackalloc byte[32];
        random.Fill(key);
        _aes = new AesGcm(key, TagSize);
        CryptographicOperations.ZeroMemory(key);
        _trace = options.Trace;
        _traceId = _trace?.Register(label, geometry) ?? -1;
    }

    /// <inheritdoc />
    public OramGeometry Geometry { get; }

    /// <summary>Levels (from the root) held in trusted memory.</summary>
    public int TrustedLevels { get; }

    /// <summary>Bytes of one host record (ciphertext of values and metadata, then the tag).</summary>
    public readonly int RecordSize => _recordSize;

    /// <summary>The host record index of node <paramref name="node"/>, or −1 when the node is trusted.</summary>
    /// <param name="node">Node index.</param>
    /// <returns>The record index.</returns>
    public readonly long RecordIndexOf(ulong node) => node < _topCount ? -1 : (long)(node - _topCount);

    /// <inheritdoc />
    public readonly void Checkout(ulong leaf, in Branch branch)
    {
        var dataSize = Geometry.BucketDataSize;
        var u = _untrustedLevels;
        for (var i = 0; i < u; i++)
        {
            _indices[i] = (leaf >> i) - _topCount;
        }

        var records = new Span<byte>(_records.Pointer, u * _recordSize);
        _host.Read(_indices.AsSpan(0, u), records);
        Span<byte> nonce = stackalloc byte[NonceSize];
        for (var i = 0; i < u; i++)
        {
            var node = leaf >> i;
            var plain = _plaintext.Pointer + (i * _plainSize);
            var plainSpan = new Span<byte>(plain, _plainSize);
            var version = ((ulong*)_versions.Pointer)[_indices[i]];
            if (version == 0)
            {
                plainSpan.Clear();
            }
            else
            {
                WriteNonce(nonce, node, version);
                var record = records.Slice(i * _recordSize, _recordSize);
                try
                {
                    _aes.Decrypt(nonce, record[.._plainSize], record.Slice(_plainSize, TagSize), plainSpan);
                }
                catch (CryptographicException e)
                {
                    throw new OramIntegrityException(
                        $"Untrusted ORAM bucket at node {node} failed authentication (altered, moved or replayed).", e)
                    {
                        Node = node,
                    };
                }
            }

            branch.Set(i, plain, plain + dataSize);
        }

        for (var i = u; i < Geometry.BranchLength; i++)
        {
            var node = (nuint)(leaf >> i);
            branch.Set(i, _topData.Pointer + (node * (nuint)dataSize), _topMeta.Pointer + (node * (nuint)Geometry.BucketMetaSize));
        }

        _trace?.Record(new StorageAccess(_traceId, StorageAccessKind.Checkout, leaf, Geometry.BranchLength, u));
    }

    /// <inheritdoc />
    public readonly void Checkin(ulong leaf, in Branch branch)
    {
        var u = _untrustedLevels;
        var records = new Span<byte>(_records.Pointer, u * _recordSize);
        Span<byte> nonce = stackalloc byte[NonceSize];
        for (var i = 0; i < u; i++)
        {
            var node = leaf >> i;
            _indices[i] = node - _topCount;
            ref var version = ref ((ulong*)_versions.Pointer)[_indices[i]];
            version++;
            WriteNonce(nonce, node, version);
            var record = records.Slice(i * _recordSize, _recordSize);
            var plainSpan = new ReadOnlySpan<byte>(_plaintext.Pointer + (i * _plainSize), _plainSize);
            _aes.Encrypt(nonce, plainSpan, record[.._plainSize], record.Slice(_plainSize, TagSize));
        }

        _host.Write(_indices.AsSpan(0, u), records);
        _trace?.Record(new StorageAccess(_traceId, StorageAccessKind.Checkin, leaf, Geometry.BranchLength, u));
    }

    /// <inheritdoc />
    public readonly void Dispose()
    {
        _aes?.Dispose();
        _host?.Dispose();
        _topData?.Dispose();
        _topMeta?.Dispose();
        _versions?.Dispose();
        _plaintext?.Dispose();
        _records?.Dispose();
    }

    private static void WriteNonce(Span<byte> nonce, ulong node, ulong version)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(nonce, (uint)node);
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], version);
    }
}
