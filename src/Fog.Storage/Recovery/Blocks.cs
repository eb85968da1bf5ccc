namespace Fog.Storage.Recovery;

/// <summary>What <see cref="IRecoveryDb.AddBlockDataAsync"/> did.</summary>
public enum AddBlockDataStatus
{
    /// <summary>The block's records were stored.</summary>
    Added = 1,

    /// <summary>
    /// The block was already stored under the same ingress key (by this or another invocation); nothing
    /// changed. <see cref="AddBlockDataResult.ScannedByInvocationId"/> says which invocation holds it: if it
    /// is the caller's, an earlier attempt whose outcome was unknown did commit.
    /// </summary>
    AlreadyScannedWithThisKey = 2,

    /// <summary>
    /// The invocation was decommissioned, so it may not publish records (clients were told its RNGs
    /// stopped); nothing changed. Start a new invocation with a fresh egress key.
    /// </summary>
    InvocationDecommissioned = 3,
}

/// <summary>The outcome of <see cref="IRecoveryDb.AddBlockDataAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="ScannedByInvocationId">The invocation whose records are stored for the block under this key; null for <see cref="AddBlockDataStatus.InvocationDecommissioned"/>.</param>
public readonly record struct AddBlockDataResult(AddBlockDataStatus Status, long? ScannedByInvocationId)
{
    /// <summary>The reference's <c>block_already_scanned_with_this_key</c>.</summary>
    public bool BlockAlreadyScannedWithThisKey => Status == AddBlockDataStatus.AlreadyScannedWithThisKey;
}

/// <summary>One block's records under one ingress key, with the block's facts.</summary>
/// <param name="BlockIndex">The block index.</param>
/// <param name="CumulativeTxoCount">The number of TxOuts in the ledger up to and including this block.</param>
/// <param name="SignatureTimestamp">The block signature's time in seconds since the Unix epoch (<c>ulong.MaxValue</c> when the block has none).</param>
/// <param name="IngestInvocationId">The invocation that stored it.</param>
/// <param name="Records">The records, in TxOut order.</param>
public sealed record IngestedBlock(ulong BlockIndex, ulong CumulativeTxoCount, ulong SignatureTimestamp, long IngestInvocationId, IReadOnlyList<ETxOutRecord> Records);
