using Fog.Model.Transactions;

namespace Fog.Model.Ledger;

/// <summary>
/// A ledger held in memory: the reference implementation of <see cref="ILedgerStore"/> (the LMDB store in Fog.Storage
/// keeps the same state on disk). Not thread-safe.
/// </summary>
public sealed class InMemoryLedger : ILedgerStore
{
    private readonly List<BlockData> _blocks = [];
    private readonly List<TxOut> _outputs = [];
    private readonly List<ulong> _blockByOutput = [];
    private readonly Dictionary<string, ulong> _indexByPublicKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _indexByHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _keyImages = new(StringComparer.Ordinal);
    private readonly MerkleTree _tree = new();

    /// <inheritdoc />
    public ulong NumBlocks => (ulong)_blocks.Count;

    /// <inheritdoc />
    public ulong NumTxOuts => (ulong)_outputs.Count;

    /// <summary>Every TxOut, by global index.</summary>
    public IReadOnlyList<TxOut> Outputs => _outputs;

    /// <inheritdoc />
    public LedgerAppendResult Append(BlockData block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var result = LedgerAppendChecks.Check(block, _blocks.Count == 0 ? null : _blocks[^1].Block, NumTxOuts, ContainsKeyImage, key => ContainsTxOutPublicKey(key));
        if (result != LedgerAppendResult.Ok)
        {
            return result;
        }

        var blockIndex = NumBlocks;
        foreach (var keyImage in block.Contents.KeyImages)
        {
            _keyImages[keyImage.ToString()] = blockIndex;
        }

        foreach (var output in block.Contents.Outputs)
        {
            var hash = output.Hash();
            _indexByPublicKey[Convert.ToHexString(output.PublicKey)] = NumTxOuts;
            _indexByHash[Convert.ToHexString(hash)] = NumTxOuts;
            _outputs.Add(output);
            _blockByOutput.Add(blockIndex);
            _tree.Append(hash);
        }

        _blocks.Add(block);
        return LedgerAppendResult.Ok;
    }

    /// <summary>
    /// Forms and appends the next block holding <paramref name="contents"/> (the origin block when the ledger is empty),
    /// unsigned. For tests and tools; throws if a check fails.
    /// </summary>
    public Block AppendContents(BlockContents contents, BlockVersion? version = null)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var block = _blocks.Count == 0
            ? Block.CreateOrigin(contents)
            : Block.CreateWithParent(version ?? BlockVersion.Max, _blocks[^1].Block, GetRootElement(), contents);
        var result = Append(new BlockData(block, contents));
        return result == LedgerAppendResult.Ok ? block : throw new InvalidOperationException($"The ledger refused the block: {result}.");
    }

    /// <inheritdoc />
    public BlockData? GetBlockData(ulong index) => index < NumBlocks ? _blocks[(int)index] : null;

    /// <inheritdoc />
    public TxOut? GetTxOut(ulong globalIndex) => globalIndex < NumTxOuts ? _outputs[(int)globalIndex] : null;

    /// <inheritdoc />
    public ulong? GetTxOutIndexByPublicKey(ReadOnlySpan<byte> publicKey) =>
        _indexByPublicKey.TryGetValue(Convert.ToHexString(publicKey), out var index) ? index : null;

    /// <inheritdoc />
    public ulong? GetTxOutIndexByHash(ReadOnlySpan<byte> txOutHash) =>
        _indexByHash.TryGetValue(Convert.ToHexString(txOutHash), out var index) ? index : null;

    /// <inheritdoc />
    public ulong? GetBlockIndexByTxOutIndex(ulong globalIndex) => globalIndex < NumTxOuts ? _blockByOutput[(int)globalIndex] : null;

    /// <inheritdoc />
    public ulong? GetKeyImageBlockIndex(KeyImage keyImage)
    {
        ArgumentNullException.ThrowIfNull(keyImage);
        return _keyImages.TryGetValue(keyImage.ToString(), out var index) ? index : null;
    }

    /// <inheritdoc />
    public MembershipProof GetMembershipProof(ulong globalIndex) => _tree.Prove(globalIndex);

    /// <inheritdoc />
    public MembershipElement GetRootElement() => _tree.Root;

    /// <inheritdoc />
    public bool ContainsKeyImage(KeyImage keyImage) => GetKeyImageBlockIndex(keyImage) is not null;

    /// <inheritdoc />
    public bool ContainsTxOutPublicKey(ReadOnlySpan<byte> publicKey) => GetTxOutIndexByPublicKey(publicKey) is not null;

    /// <inheritdoc />
    public MembershipElement? GetRootElementAt(ulong highestIndex) =>
        highestIndex < _tree.Count ? _tree.RootAt(highestIndex + 1) : null;
}
