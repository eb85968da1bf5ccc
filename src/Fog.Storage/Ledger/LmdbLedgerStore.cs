using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Google.Protobuf;
using LightningDB;

namespace Fog.Storage.Ledger;

/// <summary>
/// The ledger in an LMDB environment, laid out as MobileCoin's LedgerDB (reference/blockchain-and-transactions.md §2.1):
/// blocks, signatures and metadata by index; key images with the block that spent them; TxOuts by global index with
/// indexes by public key and by hash; Merkle node hashes by range. Integers in keys are big-endian u64 (the key-image
/// value is little-endian, as in the reference). Values are the protobuf forms of the model types.
/// </summary>
/// <remarks>
/// Appending is one write transaction: every check runs first, and on any failure (or crash) nothing of the block is
/// written. Commits are durable. Any number of readers — threads or other processes — may read while one writes.
/// </remarks>
public sealed class LmdbLedgerStore : ILedgerStore, IDisposable
{
    /// <summary>The layout version written at creation and checked at opening.</summary>
    public const string LayoutVersion = "fog-ledger-1";

    private static readonly byte[] NumBlocksKey = "num_blocks"u8.ToArray();
    private static readonly byte[] NumTxOutsKey = "num_tx_outs"u8.ToArray();
    private static readonly byte[] VersionKey = "layout_version"u8.ToArray();

    private readonly LightningEnvironment _environment;
    private readonly LightningDatabase _counts;
    private readonly LightningDatabase _blocks;
    private readonly LightningDatabase _signatures;
    private readonly LightningDatabase _metadata;
    private readonly LightningDatabase _keyImages;
    private readonly LightningDatabase _keyImagesByBlock;
    private readonly LightningDatabase _txOutsByBlock;
    private readonly LightningDatabase _blockByTxOut;
    private readonly LightningDatabase _txOuts;
    private readonly LightningDatabase _txOutByHash;
    private readonly LightningDatabase _txOutByPublicKey;
    private readonly LightningDatabase _merkle;
    private readonly LightningDatabase _info;

    private LmdbLedgerStore(LightningEnvironment environment)
    {
        _environment = environment;
        using var txn = environment.BeginTransaction();
        var create = new DatabaseConfiguration { Flags = DatabaseOpenFlags.Create };
        _counts = txn.OpenDatabase("ledger_db:counts", create);
        _blocks = txn.OpenDatabase("ledger_db:blocks", create);
        _signatures = txn.OpenDatabase("ledger_db:block_signatures", create);
        _metadata = txn.OpenDatabase("ledger_db:block_metadata", create);
        _keyImages = txn.OpenDatabase("ledger_db:key_images", create);
        _keyImagesByBlock = txn.OpenDatabase("ledger_db:key_images_by_block", create);
        _txOutsByBlock = txn.OpenDatabase("ledger_db:tx_outs_by_block", create);
        _blockByTxOut = txn.OpenDatabase("ledger_db:block_number_by_tx_out_index", create);
        _txOuts = txn.OpenDatabase("tx_out_store:tx_out_by_index", create);
        _txOutByHash = txn.OpenDatabase("tx_out_store:tx_out_index_by_hash", create);
        _txOutByPublicKey = txn.OpenDatabase("tx_out_store:tx_out_index_by_public_key", create);
        _merkle = txn.OpenDatabase("tx_out_store:merkle_hash_by_range", create);
        _info = txn.OpenDatabase("ledger_db_metadata", create);
        if (TryGet(txn, _info, VersionKey, out byte[]? version))
        {
            if (!version.AsSpan().SequenceEqual(System.Text.Encoding.ASCII.GetBytes(LayoutVersion)))
            {
                throw new InvalidDataException(
                    $"The ledger at {environment.Path} has layout '{System.Text.Encoding.ASCII.GetString(version)}', not '{LayoutVersion}'. Use a ledger created by this version of Fog.");
            }
        }
        else
        {
            Check(txn.Put(_info, VersionKey, System.Text.Encoding.ASCII.GetBytes(LayoutVersion)));
        }

        Check(txn.Commit());
    }

    /// <summary>The directory holding the environment.</summary>
    public string Path => _environment.Path;

    /// <summary>Opens the ledger in <paramref name="directory"/>, creating an empty one if there is none.</summary>
    /// <param name="directory">The environment's directory.</param>
    /// <param name="mapSize">The largest the ledger may grow (address space only; the file grows as needed). Default 64 GiB.</param>
    public static LmdbLedgerStore Open(string directory, long mapSize = 64L << 30)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        LmdbNative.EnsureResolver();
        Directory.CreateDirectory(directory);
        var environment = new LightningEnvironment(directory, new EnvironmentConfiguration { MaxDatabases = 16, MapSize = mapSize, MaxReaders = 512 });
        try
        {
            // No thread-local read slots: async callers may end a read transaction on another thread.
            environment.Open(EnvironmentOpenFlags.NoThreadLocalStorage);
            return new LmdbLedgerStore(environment);
        }
        catch
        {
            environment.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ulong NumBlocks => Read(txn => ReadCount(txn, NumBlocksKey));

    /// <inheritdoc />
    public ulong NumTxOuts => Read(txn => ReadCount(txn, NumTxOutsKey));

    /// <inheritdoc />
    public LedgerAppendResult Append(BlockData block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return AppendBatch([block]).Result;
    }

    /// <summary>
    /// Appends consecutive blocks in one write transaction (one durable commit — what a follower catching up wants).
    /// Each block is checked against the one before; the batch stops at the first refused block, and the blocks before
    /// it are kept.
    /// </summary>
    public (int Appended, LedgerAppendResult Result) AppendBatch(IReadOnlyList<BlockData> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        using var txn = _environment.BeginTransaction();
        var numBlocks = ReadCount(txn, NumBlocksKey);
        var numTxOuts = ReadCount(txn, NumTxOutsKey);
        var last = numBlocks == 0 ? null : ReadBlock(txn, numBlocks - 1);
        var appended = 0;
        var result = LedgerAppendResult.Ok;
        foreach (var block in blocks)
        {
            result = LedgerAppendChecks.Check(
                block,
                last,
                numTxOuts,
                keyImage => txn.ContainsKey(_keyImages, keyImage.Bytes),
                publicKey => txn.ContainsKey(_txOutByPublicKey, publicKey));
            if (result != LedgerAppendResult.Ok)
            {
                break;
            }

            numTxOuts = Write(txn, block, numTxOuts);
            numBlocks++;
            last = block.Block;
            appended++;
        }

        if (appended == 0)
        {
            txn.Abort();
            return (0, result);
        }

        Check(txn.Put(_counts, NumBlocksKey, Key(numBlocks)));
        Check(txn.Put(_counts, NumTxOutsKey, Key(numTxOuts)));
        Check(txn.Commit());
        return (appended, result);
    }

    // Writes one checked block; returns the new TxOut count.
    private ulong Write(LightningTransaction txn, BlockData block, ulong numTxOuts)
    {
        var blockIndex = block.Block.Index;
        var blockKey = Key(blockIndex);
        Span<byte> blockIndexLe = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(blockIndexLe, blockIndex);
        foreach (var keyImage in block.Contents.KeyImages)
        {
            Check(txn.Put(_keyImages, keyImage.Bytes, blockIndexLe));
        }

        Check(txn.Put(_keyImagesByBlock, blockKey, KeyImageList(block.Contents.KeyImages)));

        var tree = new MerkleTree(new NodeStore(txn, _merkle), numTxOuts);
        var index = numTxOuts;
        foreach (var output in block.Contents.Outputs)
        {
            var hash = output.Hash();
            var indexKey = Key(index);
            Check(txn.Put(_txOuts, indexKey, output.ToProtobuf()));
            Check(txn.Put(_txOutByHash, hash, indexKey));
            Check(txn.Put(_txOutByPublicKey, output.PublicKey, indexKey));
            Check(txn.Put(_blockByTxOut, indexKey, blockKey));
            tree.Append(hash);
            index++;
        }

        Check(txn.Put(_txOutsByBlock, blockKey, TxOutRange(numTxOuts, (ulong)block.Contents.Outputs.Count)));
        Check(txn.Put(_blocks, blockKey, block.Block.ToProtobuf()));
        if (block.Signature is not null)
        {
            Check(txn.Put(_signatures, blockKey, block.Signature.ToProtobuf()));
        }

        if (!block.Metadata.IsEmpty)
        {
            Check(txn.Put(_metadata, blockKey, block.Metadata.Span));
        }

        return index;
    }

    /// <inheritdoc />
    public BlockData? GetBlockData(ulong index) => Read(txn =>
    {
        var block = ReadBlock(txn, index);
        if (block is null)
        {
            return null;
        }

        var blockKey = Key(index);
        var keyImages = new List<KeyImage>();
        if (TryGet(txn, _keyImagesByBlock, blockKey, out byte[]? list))
        {
            var input = new CodedInputStream(list);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                keyImages.Add(new KeyImage(input.ReadBytes().Span));
            }
        }

        var outputs = new List<TxOut>();
        if (TryGet(txn, _txOutsByBlock, blockKey, out byte[]? range))
        {
            var first = BinaryPrimitives.ReadUInt64BigEndian(range);
            var count = BinaryPrimitives.ReadUInt64BigEndian(range.AsSpan(8));
            for (var i = first; i < first + count; i++)
            {
                outputs.Add(ReadTxOut(txn, i) ?? throw Corrupt($"TxOut {i} of block {index} is missing"));
            }
        }

        BlockSignature? signature = null;
        if (TryGet(txn, _signatures, blockKey, out byte[]? sig) && !BlockSignature.TryParseProtobuf(sig, out signature))
        {
            throw Corrupt($"the signature of block {index} does not parse");
        }

        byte[] metadata = [];
        if (TryGet(txn, _metadata, blockKey, out byte[]? meta))
        {
            metadata = meta;
        }

        return new BlockData(block, new BlockContents(keyImages, outputs), signature, metadata);
    });

    /// <inheritdoc />
    public TxOut? GetTxOut(ulong globalIndex) => Read(txn => ReadTxOut(txn, globalIndex));

    /// <inheritdoc />
    public ulong? GetTxOutIndexByPublicKey(ReadOnlySpan<byte> publicKey)
    {
        var key = publicKey.ToArray();
        return Read(txn => TryGet(txn, _txOutByPublicKey, key, out byte[]? value) ? BinaryPrimitives.ReadUInt64BigEndian(value) : (ulong?)null);
    }

    /// <inheritdoc />
    public ulong? GetTxOutIndexByHash(ReadOnlySpan<byte> txOutHash)
    {
        var key = txOutHash.ToArray();
        return Read(txn => TryGet(txn, _txOutByHash, key, out byte[]? value) ? BinaryPrimitives.ReadUInt64BigEndian(value) : (ulong?)null);
    }

    /// <inheritdoc />
    public ulong? GetBlockIndexByTxOutIndex(ulong globalIndex) =>
        Read(txn => TryGet(txn, _blockByTxOut, Key(globalIndex), out byte[]? value) ? BinaryPrimitives.ReadUInt64BigEndian(value) : (ulong?)null);

    /// <inheritdoc />
    public ulong? GetKeyImageBlockIndex(KeyImage keyImage)
    {
        ArgumentNullException.ThrowIfNull(keyImage);
        var key = keyImage.ToArray();
        return Read(txn => TryGet(txn, _keyImages, key, out byte[]? value) ? BinaryPrimitives.ReadUInt64LittleEndian(value) : (ulong?)null);
    }

    /// <inheritdoc />
    public bool ContainsKeyImage(KeyImage keyImage) => GetKeyImageBlockIndex(keyImage) is not null;

    /// <inheritdoc />
    public bool ContainsTxOutPublicKey(ReadOnlySpan<byte> publicKey) => GetTxOutIndexByPublicKey(publicKey) is not null;

    /// <inheritdoc />
    public MembershipProof GetMembershipProof(ulong globalIndex) => Read(txn => Tree(txn).Prove(globalIndex));

    /// <inheritdoc />
    public MembershipElement GetRootElement() => Read(txn => Tree(txn).Root);

    /// <inheritdoc />
    public MembershipElement? GetRootElementAt(ulong highestIndex) => Read(txn =>
    {
        var tree = Tree(txn);
        return highestIndex < tree.Count ? tree.RootAt(highestIndex + 1) : null;
    });

    /// <inheritdoc />
    public void Dispose() => _environment.Dispose();

    private static byte[] Key(ulong value)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, value);
        return key;
    }

    private static byte[] TxOutRange(ulong first, ulong count)
    {
        var value = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(value, first);
        BinaryPrimitives.WriteUInt64BigEndian(value.AsSpan(8), count);
        return value;
    }

    // KeyImageList { repeated bytes key_images = 1; }: the 32 raw bytes of each key image.
    private static byte[] KeyImageList(IReadOnlyList<KeyImage> keyImages)
    {
        using var buffer = new MemoryStream();
        var stream = new CodedOutputStream(buffer);
        foreach (var keyImage in keyImages)
        {
            stream.WriteTag(1, WireFormat.WireType.LengthDelimited);
            stream.WriteBytes(ByteString.CopyFrom(keyImage.Bytes));
        }

        stream.Flush();
        return buffer.ToArray();
    }

    private static bool TryGet(LightningTransaction txn, LightningDatabase database, ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? value)
    {
        var (code, _, data) = txn.Get(database, key);
        value = code == MDBResultCode.Success ? data.CopyToNewArray() : null;
        return value is not null;
    }

    private static void Check(MDBResultCode code)
    {
        if (code != MDBResultCode.Success)
        {
            throw new LedgerStoreException($"LMDB failed: {code}.", code is MDBResultCode.MapFull or MDBResultCode.TxnFull or MDBResultCode.ReadersFull);
        }
    }

    private static LedgerStoreException Corrupt(string what) => new($"The ledger is corrupt: {what}.", isTransient: false);

    private T Read<T>(Func<LightningTransaction, T> read)
    {
        using var txn = _environment.BeginTransaction(TransactionBeginFlags.ReadOnly);
        return read(txn);
    }

    private MerkleTree Tree(LightningTransaction txn) => new(new NodeStore(txn, _merkle), ReadCount(txn, NumTxOutsKey));

    private ulong ReadCount(LightningTransaction txn, byte[] key) =>
        TryGet(txn, _counts, key, out byte[]? value) ? BinaryPrimitives.ReadUInt64BigEndian(value) : 0;

    private Block? ReadBlock(LightningTransaction txn, ulong index)
    {
        if (!TryGet(txn, _blocks, Key(index), out byte[]? value))
        {
            return null;
        }

        return Block.TryParseProtobuf(value, out var block) ? block : throw Corrupt($"block {index} does not parse");
    }

    private TxOut? ReadTxOut(LightningTransaction txn, ulong index)
    {
        if (!TryGet(txn, _txOuts, Key(index), out byte[]? value))
        {
            return null;
        }

        return TxOut.TryParseProtobuf(value, out var txOut) ? txOut : throw Corrupt($"TxOut {index} does not parse");
    }

    // Merkle node hashes keyed by from(8 BE) ‖ to(8 BE).
    private sealed class NodeStore(LightningTransaction txn, LightningDatabase database) : IMerkleNodeStore
    {
        public byte[]? Get(ulong from, ulong to) => TryGet(txn, database, RangeKey(from, to), out byte[]? hash) ? hash : null;

        public void Set(ulong from, ulong to, byte[] hash) => Check(txn.Put(database, RangeKey(from, to), hash));

        private static byte[] RangeKey(ulong from, ulong to)
        {
            var key = new byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(key, from);
            BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(8), to);
            return key;
        }
    }
}

/// <summary>A ledger store failure; <see cref="IsTransient"/> says whether retrying can help (e.g. a full map or reader table).</summary>
public sealed class LedgerStoreException : Exception
{
    /// <summary>A failure.</summary>
    public LedgerStoreException(string message, bool isTransient)
        : base(message)
    {
        IsTransient = isTransient;
    }

    /// <summary>Whether retrying can help.</summary>
    public bool IsTransient { get; }
}
