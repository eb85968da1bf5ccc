using Fog.Crypto.Kex;
using Fog.Model.Ledger;
using Fog.Model.Transactions;

namespace Fog.Client.Balance;

/// <summary>An RNG record from the view server: one ingest invocation's egress public key.</summary>
/// <param name="IngestInvocationId">The invocation.</param>
/// <param name="Pubkey">The KexRng public key.</param>
/// <param name="StartBlock">The first block the invocation ingests.</param>
public sealed record RngRecordInfo(long IngestInvocationId, KexRngPubkey Pubkey, ulong StartBlock);

/// <summary>An ingest invocation that stopped, and the last block it ingested.</summary>
/// <param name="IngestInvocationId">The invocation.</param>
/// <param name="LastIngestedBlock">The last block it ingested.</param>
public sealed record DecommissionedInvocation(long IngestInvocationId, ulong LastIngestedBlock);

/// <summary>Blocks [Start, End) — a half-open range, as fog reports missed blocks.</summary>
/// <param name="Start">The first block.</param>
/// <param name="End">One past the last block.</param>
public readonly record struct BlockSpan(ulong Start, ulong End)
{
    /// <summary>Whether the span holds no block.</summary>
    public bool IsEmpty => End <= Start;
}

/// <summary>What one view query returns (the attested results and the untrusted bookkeeping).</summary>
public sealed record ViewQueryResult
{
    /// <summary>New RNG records since the cursor.</summary>
    public IReadOnlyList<RngRecordInfo> RngRecords { get; init; } = [];

    /// <summary>Invocations decommissioned since the cursor.</summary>
    public IReadOnlyList<DecommissionedInvocation> Decommissioned { get; init; } = [];

    /// <summary>Block ranges no ingest key covered (the client must scan them itself).</summary>
    public IReadOnlyList<BlockSpan> MissedBlockRanges { get; init; } = [];

    /// <summary>The cursor to send next time.</summary>
    public long NextStartFromUserEventId { get; init; }

    /// <summary>Every block below this count has been fully processed by fog.</summary>
    public ulong HighestProcessedBlockCount { get; init; }

    /// <summary>The ciphertexts found, by search key (hex); not-found keys are absent.</summary>
    public IReadOnlyDictionary<string, byte[]> Found { get; init; } = new Dictionary<string, byte[]>();
}

/// <summary>The fog view service as the balance check uses it.</summary>
public interface IFogViewService
{
    /// <summary>
    /// One query: events from <paramref name="startFromUserEventId"/> (<see cref="long.MaxValue"/> for none) and the
    /// records for <paramref name="searchKeys"/>.
    /// </summary>
    Task<ViewQueryResult> QueryAsync(long startFromUserEventId, ulong startFromBlockIndex, IReadOnlyList<byte[]> searchKeys, CancellationToken cancellationToken);
}

/// <summary>Spent status of one key image.</summary>
/// <param name="KeyImage">The key image asked about.</param>
/// <param name="SpentAtBlock">The block that spent it, or null if it is not spent.</param>
/// <param name="Error">True if the server could not answer for it (a malformed key image).</param>
public sealed record KeyImageStatus(KeyImage KeyImage, ulong? SpentAtBlock, bool Error = false);

/// <summary>The fog ledger's key-image check as the balance check uses it.</summary>
public interface IFogKeyImageService
{
    /// <summary>Checks key images (in order) and returns their statuses and the ledger's block count.</summary>
    Task<(IReadOnlyList<KeyImageStatus> Statuses, ulong NumBlocks)> CheckAsync(IReadOnlyList<KeyImage> keyImages, CancellationToken cancellationToken);
}

/// <summary>A block's outputs for fallback scanning of missed ranges.</summary>
/// <param name="Index">The block index.</param>
/// <param name="FirstGlobalIndex">The global index of its first output.</param>
/// <param name="Timestamp">Its timestamp.</param>
/// <param name="Outputs">Its outputs.</param>
public sealed record ScannedBlock(ulong Index, ulong FirstGlobalIndex, ulong Timestamp, IReadOnlyList<TxOut> Outputs);

/// <summary>The fog ledger's (untrusted) block API, for scanning blocks fog missed.</summary>
public interface IFogBlockService
{
    /// <summary>The blocks of <paramref name="ranges"/>.</summary>
    Task<IReadOnlyList<ScannedBlock>> GetBlocksAsync(IReadOnlyList<BlockSpan> ranges, CancellationToken cancellationToken);
}

/// <summary>Ring members and real inputs with membership proofs, through the fog ledger's attested GetOutputs.</summary>
public interface IFogMerkleProofService
{
    /// <summary>TxOuts by global index with membership proofs, and the ledger's TxO count.</summary>
    Task<(IReadOnlyList<(ulong Index, TxOut TxOut, MembershipProof Proof)> Outputs, ulong GlobalTxoCount, ulong NumBlocks)> GetOutputsAsync(IReadOnlyList<ulong> indices, CancellationToken cancellationToken);
}
