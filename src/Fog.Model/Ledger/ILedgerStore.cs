using Fog.Model.Transactions;

namespace Fog.Model.Ledger;

/// <summary>
/// A ledger: blocks with their contents and signatures, TxOuts by global index with indexes by public key and by hash,
/// spent key images, and the TxOut Merkle tree. Implementations: <see cref="InMemoryLedger"/> (reference) and the LMDB
/// store in Fog.Storage. A ledger checks a block's structure when appending; it does not validate transactions.
/// </summary>
public interface ILedgerStore : ILedgerView
{
    /// <summary>Number of TxOuts.</summary>
    ulong NumTxOuts { get; }

    /// <summary>Appends a block; on any failed check nothing is changed.</summary>
    LedgerAppendResult Append(BlockData block);

    /// <summary>The block at <paramref name="index"/> with its contents and signature, or null past the end.</summary>
    BlockData? GetBlockData(ulong index);

    /// <summary>The TxOut at a global index, or null past the end.</summary>
    TxOut? GetTxOut(ulong globalIndex);

    /// <summary>The global index of the TxOut with this public key, or null.</summary>
    ulong? GetTxOutIndexByPublicKey(ReadOnlySpan<byte> publicKey);

    /// <summary>The global index of the TxOut with this hash, or null.</summary>
    ulong? GetTxOutIndexByHash(ReadOnlySpan<byte> txOutHash);

    /// <summary>The index of the block holding the TxOut at a global index, or null past the end.</summary>
    ulong? GetBlockIndexByTxOutIndex(ulong globalIndex);

    /// <summary>The index of the block that spent a key image, or null if unspent.</summary>
    ulong? GetKeyImageBlockIndex(KeyImage keyImage);

    /// <summary>A membership proof for the TxOut at <paramref name="globalIndex"/> against the current tree.</summary>
    MembershipProof GetMembershipProof(ulong globalIndex);

    /// <summary>The current Merkle root element (range 0..next_pow2(n) − 1).</summary>
    MembershipElement GetRootElement();
}

/// <summary>Why a ledger refused a block (nothing was changed).</summary>
public enum LedgerAppendResult
{
    /// <summary>Appended.</summary>
    Ok,

    /// <summary>The index is not the next block index.</summary>
    WrongIndex,

    /// <summary>The parent id is not the last block's id (or not zeros for the origin block).</summary>
    WrongParent,

    /// <summary>The version is below the last block's, above the maximum, or not 0 for the origin block.</summary>
    WrongVersion,

    /// <summary>A non-origin block has no key images, or a block has no outputs.</summary>
    EmptyContents,

    /// <summary>The contents hash does not match the contents.</summary>
    ContentsHashMismatch,

    /// <summary>The block id does not match the header.</summary>
    InvalidBlockId,

    /// <summary>The cumulative TxO count is not the previous count plus this block's outputs.</summary>
    WrongTxOutCount,

    /// <summary>A key image is already spent (or repeated in the block).</summary>
    KeyImageAlreadySpent,

    /// <summary>An output's public key already exists (or is repeated in the block).</summary>
    DuplicateOutputPublicKey,
}
