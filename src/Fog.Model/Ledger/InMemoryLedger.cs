using Fog.Model.Transactions;

namespace Fog.Model.Ledger;

/// <summary>
/// A ledger held in memory: the reference implementation of <see cref="ILedgerView"/> (the LMDB ledger store keeps the
/// same state on disk). It indexes TxOuts by global index and public key, tracks spent key images and the Merkle tree,
/// and answers roots of any past tree size.
/// </summary>
public sealed class InMemoryLedger : ILedgerView
{
    private readonly List<TxOut> _outputs = [];
    private readonly Dictionary<string, ulong> _indexByPublicKey = new(StringComparer.Ordinal);
    private readonly HashSet<string> _keyImages = new(StringComparer.Ordinal);
    private readonly MerkleTree _tree = new();

    /// <inheritdoc />
    public ulong NumBlocks { get; private set; }

    /// <summary>Every TxOut, by global index.</summary>
    public IReadOnlyList<TxOut> Outputs => _outputs;

    /// <summary>The current Merkle root element.</summary>
    public MembershipElement Root => _tree.Root;

    /// <summary>Appends a block's key images and outputs (the caller has validated them).</summary>
    /// <exception cref="InvalidOperationException">A key image is already spent or an output key already exists; nothing is changed.</exception>
    public void Append(BlockContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        if (contents.KeyImages.Any(ContainsKeyImage) || contents.KeyImages.Select(k => k.ToString()).Distinct().Count() != contents.KeyImages.Count)
        {
            throw new InvalidOperationException("The block spends a key image that is already spent.");
        }

        if (contents.Outputs.Any(o => ContainsTxOutPublicKey(o.PublicKey)) ||
            contents.Outputs.Select(o => Convert.ToHexString(o.PublicKey)).Distinct().Count() != contents.Outputs.Count)
        {
            throw new InvalidOperationException("The block has an output whose public key already exists.");
        }

        foreach (var keyImage in contents.KeyImages)
        {
            _keyImages.Add(keyImage.ToString());
        }

        foreach (var output in contents.Outputs)
        {
            _indexByPublicKey[Convert.ToHexString(output.PublicKey)] = (ulong)_outputs.Count;
            _outputs.Add(output);
            _tree.Append(output.Hash());
        }

        NumBlocks++;
    }

    /// <summary>The global index of the TxOut with this public key, or null.</summary>
    public ulong? IndexOf(ReadOnlySpan<byte> publicKey) =>
        _indexByPublicKey.TryGetValue(Convert.ToHexString(publicKey), out var index) ? index : null;

    /// <summary>A membership proof for the TxOut at <paramref name="index"/> against the current tree.</summary>
    public MembershipProof Prove(ulong index) => _tree.Prove(index);

    /// <inheritdoc />
    public bool ContainsKeyImage(KeyImage keyImage)
    {
        ArgumentNullException.ThrowIfNull(keyImage);
        return _keyImages.Contains(keyImage.ToString());
    }

    /// <inheritdoc />
    public bool ContainsTxOutPublicKey(ReadOnlySpan<byte> publicKey) => _indexByPublicKey.ContainsKey(Convert.ToHexString(publicKey));

    /// <inheritdoc />
    public MembershipElement? GetRootElementAt(ulong highestIndex) =>
        highestIndex < _tree.Count ? _tree.RootAt(highestIndex + 1) : null;
}
