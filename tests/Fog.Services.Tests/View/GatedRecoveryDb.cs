using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Storage.Recovery;

namespace Fog.Services.Tests.View;

/// <summary>
/// A real recovery DB whose record reads (how view loads) wait for a permit each, so a test can hold a view server in
/// the middle of loading, and whose user-event reads can be held after reading (to interleave a query with loading).
/// Everything else passes straight through.
/// </summary>
public sealed class GatedRecoveryDb(IRecoveryDb inner) : IRecoveryDb
{
    private readonly SemaphoreSlim _permits = new(0);
    private readonly SemaphoreSlim _eventPermits = new(0);
    private int _eventReadsHeld;

    /// <summary>Record reads started (including one waiting for a permit).</summary>
    public int ReadsStarted => Volatile.Read(ref _readsStarted);

    private int _readsStarted;

    /// <summary>When set, a user-event read completes against the database, then waits for <see cref="ReleaseEvents"/>.</summary>
    public bool HoldEvents { get; set; }

    /// <summary>User-event reads done and waiting.</summary>
    public int EventReadsHeld => Volatile.Read(ref _eventReadsHeld);

    /// <summary>Lets the user-event reads held so far return.</summary>
    public void ReleaseEvents(int count = 1) => _eventPermits.Release(count);

    /// <summary>Lets <paramref name="count"/> more record reads through.</summary>
    public void Release(int count = 1) => _permits.Release(count);

    /// <summary>Lets every record read through from now on.</summary>
    public void Open() => _permits.Release(1_000_000);

    public async Task<IReadOnlyList<IngestedBlock>> GetTxOutsByBlockRangeAndKeyAsync(RistrettoPublic key, BlockRange range, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _readsStarted);
        await _permits.WaitAsync(cancellationToken);
        return await inner.GetTxOutsByBlockRangeAndKeyAsync(key, range, cancellationToken);
    }

    public Task<IngressPublicKeyStatus?> GetIngressKeyStatusAsync(RistrettoPublic key, CancellationToken cancellationToken = default) => inner.GetIngressKeyStatusAsync(key, cancellationToken);

    public Task<ulong> NewIngressKeyAsync(RistrettoPublic key, ulong startBlockCount, CancellationToken cancellationToken = default) => inner.NewIngressKeyAsync(key, startBlockCount, cancellationToken);

    public Task RetireIngressKeyAsync(RistrettoPublic key, bool retired, CancellationToken cancellationToken = default) => inner.RetireIngressKeyAsync(key, retired, cancellationToken);

    public Task<ulong?> GetLastScannedBlockIndexAsync(RistrettoPublic key, CancellationToken cancellationToken = default) => inner.GetLastScannedBlockIndexAsync(key, cancellationToken);

    public Task<IReadOnlyList<IngressPublicKeyRecord>> GetIngressKeyRecordsAsync(ulong startBlockAtLeast, IngressKeyFilters filters, CancellationToken cancellationToken = default) => inner.GetIngressKeyRecordsAsync(startBlockAtLeast, filters, cancellationToken);

    public Task<BlockRange?> ReportLostIngressKeyAsync(RistrettoPublic key, CancellationToken cancellationToken = default) => inner.ReportLostIngressKeyAsync(key, cancellationToken);

    public Task<IReadOnlyList<BlockRange>> GetMissedBlockRangesAsync(CancellationToken cancellationToken = default) => inner.GetMissedBlockRangesAsync(cancellationToken);

    public Task<long> NewIngestInvocationAsync(long? previousInvocationId, RistrettoPublic ingressKey, KexRngPubkey egressPublicKey, ulong startBlock, CancellationToken cancellationToken = default) => inner.NewIngestInvocationAsync(previousInvocationId, ingressKey, egressPublicKey, startBlock, cancellationToken);

    public Task<bool> DecommissionIngestInvocationAsync(long invocationId, CancellationToken cancellationToken = default) => inner.DecommissionIngestInvocationAsync(invocationId, cancellationToken);

    public Task UpdateLastActiveAtAsync(long invocationId, CancellationToken cancellationToken = default) => inner.UpdateLastActiveAtAsync(invocationId, cancellationToken);

    public Task<IngestInvocation?> GetIngestInvocationAsync(long invocationId, CancellationToken cancellationToken = default) => inner.GetIngestInvocationAsync(invocationId, cancellationToken);

    public Task<IReadOnlyList<IngestableRange>> GetIngestableRangesAsync(CancellationToken cancellationToken = default) => inner.GetIngestableRangesAsync(cancellationToken);

    public Task<IReadOnlyList<ExpiredInvocation>> GetExpiredInvocationsAsync(DateTimeOffset lastActiveBefore, CancellationToken cancellationToken = default) => inner.GetExpiredInvocationsAsync(lastActiveBefore, cancellationToken);

    public Task<AddBlockDataResult> AddBlockDataAsync(long invocationId, ulong blockIndex, ulong cumulativeTxoCount, ulong signatureTimestamp, IReadOnlyList<ETxOutRecord> records, CancellationToken cancellationToken = default) => inner.AddBlockDataAsync(invocationId, blockIndex, cumulativeTxoCount, signatureTimestamp, records, cancellationToken);

    public Task<IReadOnlyList<ETxOutRecord>?> GetTxOutsByBlockAndKeyAsync(RistrettoPublic key, ulong blockIndex, CancellationToken cancellationToken = default) => inner.GetTxOutsByBlockAndKeyAsync(key, blockIndex, cancellationToken);

    public Task<long?> GetInvocationIdByBlockAndKeyAsync(RistrettoPublic key, ulong blockIndex, CancellationToken cancellationToken = default) => inner.GetInvocationIdByBlockAndKeyAsync(key, blockIndex, cancellationToken);

    public Task<ulong?> GetCumulativeTxoCountForBlockAsync(ulong blockIndex, CancellationToken cancellationToken = default) => inner.GetCumulativeTxoCountForBlockAsync(blockIndex, cancellationToken);

    public Task<ulong?> GetBlockSignatureTimestampForBlockAsync(ulong blockIndex, CancellationToken cancellationToken = default) => inner.GetBlockSignatureTimestampForBlockAsync(blockIndex, cancellationToken);

    public Task<ulong?> GetHighestKnownBlockIndexAsync(CancellationToken cancellationToken = default) => inner.GetHighestKnownBlockIndexAsync(cancellationToken);

    public async Task<UserEventPage> SearchUserEventsAsync(long startFromUserEventId, CancellationToken cancellationToken = default)
    {
        var page = await inner.SearchUserEventsAsync(startFromUserEventId, cancellationToken);
        if (HoldEvents)
        {
            Interlocked.Increment(ref _eventReadsHeld);
            await _eventPermits.WaitAsync(cancellationToken);
        }

        return page;
    }

    public Task<IReadOnlyList<ReportEntry>> GetAllReportsAsync(CancellationToken cancellationToken = default) => inner.GetAllReportsAsync(cancellationToken);

    public Task<IngressPublicKeyStatus> SetReportAsync(RistrettoPublic ingressKey, string fogReportId, ReportData data, CancellationToken cancellationToken = default) => inner.SetReportAsync(ingressKey, fogReportId, data, cancellationToken);

    public Task<bool> RemoveReportAsync(string fogReportId, CancellationToken cancellationToken = default) => inner.RemoveReportAsync(fogReportId, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Open();
        _eventPermits.Release(1_000);
        await inner.DisposeAsync();
        _permits.Dispose();
        _eventPermits.Dispose();
    }
}
