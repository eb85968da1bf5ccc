using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;

namespace Fog.Storage.Recovery;

/// <summary>
/// The recovery database: the durable hand-off from ingest to view, and the fencing point between ingest
/// servers. It stores ingress keys, ingest invocations, one blob of records per block per ingress key,
/// the user events clients read by cursor, and the fog reports. Build one with <see cref="RecoveryDbBuilder"/>.
/// </summary>
/// <remarks>
/// <para>Every write is one transaction: it happens completely or not at all. Instances are safe to use from many threads at once.</para>
/// <para>
/// Failures are <see cref="RecoveryDbException"/>s. Transient ones (<see cref="RecoveryDbException.IsTransient"/>)
/// may be retried by the caller; reads are already retried a bounded number of times before one surfaces.
/// A transient failure of a write may leave its outcome unknown (the commit may or may not have happened);
/// every write here is safe to retry, and the retry reports what is stored.
/// </para>
/// <para>Block indices, counts and expiries are stored as signed 64-bit integers: values above <see cref="long.MaxValue"/> are rejected (block signature timestamps excepted).</para>
/// </remarks>
public interface IRecoveryDb : IAsyncDisposable
{
    // ---- Ingress keys ----

    /// <summary>The stored state of <paramref name="key"/>, or null if it is unknown.</summary>
    Task<IngressPublicKeyStatus?> GetIngressKeyStatusAsync(RistrettoPublic key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds an ingress key that starts at <c>max(<paramref name="startBlockCount"/>, highest known block + 1)</c>:
    /// a new key never claims blocks some key has already scanned.
    /// </summary>
    /// <returns>The start block actually stored.</returns>
    /// <exception cref="RecoveryDbException"><see cref="RecoveryDbError.IngressKeyAlreadyExists"/>: the key is already stored (nothing changes).</exception>
    Task<ulong> NewIngressKeyAsync(RistrettoPublic key, ulong startBlockCount, CancellationToken cancellationToken = default);

    /// <summary>Marks the key retired (reports stop; servers scan to its expiry, then go idle) or, with false, not retired.</summary>
    /// <exception cref="RecoveryDbException"><see cref="RecoveryDbError.MissingIngressKey"/>.</exception>
    Task RetireIngressKeyAsync(RistrettoPublic key, bool retired, CancellationToken cancellationToken = default);

    /// <summary>The highest block stored under <paramref name="key"/>, or null if none.</summary>
    Task<ulong?> GetLastScannedBlockIndexAsync(RistrettoPublic key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keys whose start block is at least <paramref name="startBlockAtLeast"/>, filtered by <paramref name="filters"/>,
    /// ordered by start block (then key bytes).
    /// </summary>
    Task<IReadOnlyList<IngressPublicKeyRecord>> GetIngressKeyRecordsAsync(ulong startBlockAtLeast, IngressKeyFilters filters, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the key lost and, in the same transaction, publishes the blocks it promised but will never scan
    /// as a missing-blocks user event: <c>[max(start block, last scanned + 1), pubkey expiry)</c>, if that
    /// range is not empty. Reporting a key that is already lost changes nothing.
    /// </summary>
    /// <returns>The missed range announced for this key, or null if none.</returns>
    /// <exception cref="RecoveryDbException"><see cref="RecoveryDbError.MissingIngressKey"/>.</exception>
    Task<BlockRange?> ReportLostIngressKeyAsync(RistrettoPublic key, CancellationToken cancellationToken = default);

    /// <summary>Every missed block range ever announced, in announcement order.</summary>
    Task<IReadOnlyList<BlockRange>> GetMissedBlockRangesAsync(CancellationToken cancellationToken = default);

    // ---- Ingest invocations ----

    /// <summary>
    /// Starts an ingest invocation (an RNG epoch) for <paramref name="ingressKey"/> with egress key
    /// <paramref name="egressPublicKey"/>, publishing a new-RNG user event; if
    /// <paramref name="previousInvocationId"/> is given, that invocation is decommissioned in the same transaction.
    /// </summary>
    /// <returns>The new invocation id.</returns>
    /// <exception cref="RecoveryDbException">
    /// <see cref="RecoveryDbError.MissingIngressKey"/>, <see cref="RecoveryDbError.UnknownIngestInvocation"/> (the previous id),
    /// or <see cref="RecoveryDbError.EgressKeyAlreadyUsed"/>; nothing changes.
    /// </exception>
    Task<long> NewIngestInvocationAsync(long? previousInvocationId, RistrettoPublic ingressKey, KexRngPubkey egressPublicKey, ulong startBlock, CancellationToken cancellationToken = default);

    /// <summary>Decommissions an invocation and publishes a decommission user event.</summary>
    /// <returns>True if it was decommissioned now; false if it already was (no second event).</returns>
    /// <exception cref="RecoveryDbException"><see cref="RecoveryDbError.UnknownIngestInvocation"/>.</exception>
    Task<bool> DecommissionIngestInvocationAsync(long invocationId, CancellationToken cancellationToken = default);

    /// <summary>Sets the invocation's last-active time to now.</summary>
    /// <exception cref="RecoveryDbException"><see cref="RecoveryDbError.UnknownIngestInvocation"/>.</exception>
    Task UpdateLastActiveAtAsync(long invocationId, CancellationToken cancellationToken = default);

    /// <summary>One invocation, or null if no invocation has this id.</summary>
    Task<IngestInvocation?> GetIngestInvocationAsync(long invocationId, CancellationToken cancellationToken = default);

    /// <summary>Every invocation with the blocks it ingested, ordered by id.</summary>
    Task<IReadOnlyList<IngestableRange>> GetIngestableRangesAsync(CancellationToken cancellationToken = default);

    /// <summary>Invocations not yet decommissioned whose last activity is before <paramref name="lastActiveBefore"/>, ordered by id.</summary>
    Task<IReadOnlyList<ExpiredInvocation>> GetExpiredInvocationsAsync(DateTimeOffset lastActiveBefore, CancellationToken cancellationToken = default);

    // ---- Ingested blocks ----

    /// <summary>
    /// Stores block <paramref name="blockIndex"/>'s records under the invocation's ingress key and bumps the
    /// invocation's last-active time. At most one invocation stores a given block under a given ingress key:
    /// that unique constraint fences two servers sharing a key. If the block is already stored under the key,
    /// or the invocation was decommissioned, nothing changes and the result says so.
    /// </summary>
    /// <param name="invocationId">The writing invocation.</param>
    /// <param name="blockIndex">The block index.</param>
    /// <param name="cumulativeTxoCount">TxOuts in the ledger up to and including this block.</param>
    /// <param name="signatureTimestamp">The block signature's time in seconds (<c>ulong.MaxValue</c> if none).</param>
    /// <param name="records">The block's records in TxOut order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="RecoveryDbException"><see cref="RecoveryDbError.UnknownIngestInvocation"/>.</exception>
    Task<AddBlockDataResult> AddBlockDataAsync(long invocationId, ulong blockIndex, ulong cumulativeTxoCount, ulong signatureTimestamp, IReadOnlyList<ETxOutRecord> records, CancellationToken cancellationToken = default);

    /// <summary>The records of one block under one key, or null if that block is not stored under the key.</summary>
    Task<IReadOnlyList<ETxOutRecord>?> GetTxOutsByBlockAndKeyAsync(RistrettoPublic key, ulong blockIndex, CancellationToken cancellationToken = default);

    /// <summary>
    /// The blocks stored under <paramref name="key"/> from <paramref name="range"/>'s start on, consecutive and in
    /// order, stopping at the first block not yet stored (so the result may be shorter than the range, or empty).
    /// This is how a view server loads records.
    /// </summary>
    Task<IReadOnlyList<IngestedBlock>> GetTxOutsByBlockRangeAndKeyAsync(RistrettoPublic key, BlockRange range, CancellationToken cancellationToken = default);

    /// <summary>The invocation that stored block <paramref name="blockIndex"/> under <paramref name="key"/>, or null.</summary>
    Task<long?> GetInvocationIdByBlockAndKeyAsync(RistrettoPublic key, ulong blockIndex, CancellationToken cancellationToken = default);

    /// <summary>The cumulative TxO count stored for a block, or null if no key stored it.</summary>
    /// <exception cref="RecoveryDbException"><see cref="RecoveryDbError.InconsistentData"/>: keys stored different counts.</exception>
    Task<ulong?> GetCumulativeTxoCountForBlockAsync(ulong blockIndex, CancellationToken cancellationToken = default);

    /// <summary>The signature timestamp stored for a block (by the first key that stored it), or null.</summary>
    Task<ulong?> GetBlockSignatureTimestampForBlockAsync(ulong blockIndex, CancellationToken cancellationToken = default);

    /// <summary>The highest block index stored under any key, or null if none.</summary>
    Task<ulong?> GetHighestKnownBlockIndexAsync(CancellationToken cancellationToken = default);

    // ---- User events ----

    /// <summary>
    /// The user events with id above <paramref name="startFromUserEventId"/> in id order, and the next cursor.
    /// A cursor of <see cref="long.MaxValue"/> returns nothing at once. Ids are assigned in commit order, so a
    /// reader that advances its cursor never skips an event committed later.
    /// </summary>
    Task<UserEventPage> SearchUserEventsAsync(long startFromUserEventId, CancellationToken cancellationToken = default);

    // ---- Reports ----

    /// <summary>Every stored report, in the order first stored.</summary>
    Task<IReadOnlyList<ReportEntry>> GetAllReportsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes a report for <paramref name="ingressKey"/> under <paramref name="fogReportId"/> (replacing any
    /// report with that id) and raises the key's stored pubkey expiry to the report's if higher. A retired or
    /// lost key gets no report and no new expiry.
    /// </summary>
    /// <returns>The key's status after the call.</returns>
    /// <exception cref="ArgumentException"><paramref name="fogReportId"/> is longer than 64 characters.</exception>
    /// <exception cref="RecoveryDbException"><see cref="RecoveryDbError.MissingIngressKey"/>, or <see cref="RecoveryDbError.UnknownIngestInvocation"/> for the report's invocation.</exception>
    Task<IngressPublicKeyStatus> SetReportAsync(RistrettoPublic ingressKey, string fogReportId, ReportData data, CancellationToken cancellationToken = default);

    /// <summary>Removes a report.</summary>
    /// <returns>True if a report with that id existed.</returns>
    Task<bool> RemoveReportAsync(string fogReportId, CancellationToken cancellationToken = default);
}
