namespace Fog.Client.Balance;

/// <summary>
/// What a client keeps between balance checks so an incremental check does only new work: the view cursor and
/// processed-block count, the user's RNGs (their secrets and counters), the owned outputs with their spent status, and
/// the block ranges fog missed that still need scanning. It holds secrets (RNG secrets): store it encrypted
/// (the wallet file does).
/// </summary>
public sealed class FogClientState
{
    /// <summary>The format version of this state.</summary>
    public int Version { get; set; } = 1;

    /// <summary>The view server's user-event cursor.</summary>
    public long NextUserEventId { get; set; }

    /// <summary>Blocks below this count have been searched through fog view.</summary>
    public ulong HighestProcessedBlockCount { get; set; }

    /// <summary>The user's RNGs, one per ingest invocation.</summary>
    public List<RngState> Rngs { get; set; } = [];

    /// <summary>Owned outputs, by global index.</summary>
    public List<OwnedOutputState> Outputs { get; set; } = [];

    /// <summary>Block ranges fog missed that have not been scanned yet.</summary>
    public List<BlockSpan> MissedRanges { get; set; } = [];
}

/// <summary>One RNG: which invocation it belongs to, and its stored form (secret, counter).</summary>
public sealed class RngState
{
    /// <summary>The egress public key (hex), which identifies the RNG.</summary>
    public string EgressPublicKey { get; set; } = "";

    /// <summary>The ingest invocation.</summary>
    public long IngestInvocationId { get; set; }

    /// <summary>The first block the invocation ingests.</summary>
    public ulong StartBlock { get; set; }

    /// <summary>The <c>kex_rng.StoredRng</c> form (hex): secret, current output and counter.</summary>
    public string Stored { get; set; } = "";

    /// <summary>Set when the invocation was decommissioned: the last block it ingested.</summary>
    public ulong? LastIngestedBlock { get; set; }

    /// <summary>True once the RNG can produce no more hits (decommissioned, processed past its end, and exhausted).</summary>
    public bool Exhausted { get; set; }
}

/// <summary>An output the user owns.</summary>
public sealed class OwnedOutputState
{
    /// <summary>Global index in the ledger.</summary>
    public ulong GlobalIndex { get; set; }

    /// <summary>The block holding it.</summary>
    public ulong BlockIndex { get; set; }

    /// <summary>The block's timestamp (seconds since the Unix epoch; 0 if unknown).</summary>
    public ulong Timestamp { get; set; }

    /// <summary>The TxOut's protobuf (hex); its fog hint is zeroed when it came from a fog record.</summary>
    public string TxOut { get; set; } = "";

    /// <summary>The subaddress it was paid to.</summary>
    public ulong SubaddressIndex { get; set; }

    /// <summary>The value.</summary>
    public ulong Value { get; set; }

    /// <summary>The token.</summary>
    public ulong TokenId { get; set; }

    /// <summary>Its key image (hex).</summary>
    public string KeyImage { get; set; } = "";

    /// <summary>The block that spent it, or null if it is unspent as far as the ledger has said.</summary>
    public ulong? SpentAtBlock { get; set; }

    /// <summary>Not spent as of this block count (the ledger's count at the last check).</summary>
    public ulong NotSpentAsOf { get; set; }

    /// <summary>The decrypted memo payload (hex, 66 bytes), or empty.</summary>
    public string Memo { get; set; } = "";

    /// <summary>Set while a transaction of ours that spends it is pending (its tombstone block).</summary>
    public ulong? PendingSpendTombstone { get; set; }
}
