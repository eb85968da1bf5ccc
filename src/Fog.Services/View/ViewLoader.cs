using Fog.Enclaves.View;
using Fog.Services.Hosting;
using Fog.Storage.Recovery;
using Microsoft.Extensions.Logging;

namespace Fog.Services.View;

/// <summary>
/// What the view server reports as processed, computed by the loader after each pass over the recovery DB: the
/// untrusted block counts of every <c>QueryResponse</c>.
/// </summary>
/// <param name="HighestProcessedBlockCount">Every record of every block below this count is loaded (§4.3).</param>
/// <param name="HighestProcessedBlockSignatureTimestamp">The signature time of block count − 1 (the last one found; 0 before any).</param>
/// <param name="LastKnownBlockCount">The highest block loaded under any key, plus one.</param>
/// <param name="LastKnownBlockCumulativeTxoCount">The cumulative TxO count of block <paramref name="LastKnownBlockCount"/> − 1.</param>
public sealed record ViewProgress(ulong HighestProcessedBlockCount, ulong HighestProcessedBlockSignatureTimestamp, ulong LastKnownBlockCount, ulong LastKnownBlockCumulativeTxoCount)
{
    /// <summary>Nothing loaded yet.</summary>
    public static ViewProgress Empty { get; } = new(0, 0, 0, 0);
}

/// <summary>
/// Loads records from the recovery DB into the view enclave (the reference's DB fetcher and poll thread in one loop):
/// for every ingress key, the next blocks it is responsible for, in batches, in order, stopping at the first block not
/// yet stored; then the highest processed block count. It is caught up after the first pass that found no more work;
/// queries are refused until then.
/// </summary>
/// <remarks>
/// A block the enclave refuses (malformed records, or a full map) is never marked loaded: loading under that key stops
/// there, the block count stops before it, and an error is logged — the server keeps answering from what it has,
/// never claiming more than it loaded.
/// </remarks>
internal sealed partial class ViewLoader : IEnclaveLoader
{
    private readonly IRecoveryDb _db;
    private readonly IViewEnclave _enclave;
    private readonly ViewServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BlockTracker _tracker = new();
    private readonly Dictionary<Fog.Crypto.Ristretto.RistrettoPublic, ulong> _refused = [];
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ViewProgress _progress = ViewProgress.Empty;
    private long _stalledSince = -1;
    private ulong _stalledAt;
    private bool _stallWarned;

    public ViewLoader(IRecoveryDb db, IViewEnclave enclave, ViewServerOptions options, ILogger logger, TimeProvider? time = null)
    {
        _db = db;
        _enclave = enclave;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        ViewMetrics.MapCapacity.Set(enclave.Capacity);
    }

    /// <summary>The latest progress (read it before reading user events; see <see cref="FogViewApiService.Query"/>).</summary>
    public ViewProgress Progress => Volatile.Read(ref _progress);

    /// <summary>Whether the first full load finished.</summary>
    public bool IsCaughtUp => _caughtUp.Task.IsCompleted;

    /// <summary>Completes when the first full load finished.</summary>
    public Task CaughtUp => _caughtUp.Task;

    /// <summary>Blocks whose records the enclave refused, by ingress key.</summary>
    public IReadOnlyDictionary<Fog.Crypto.Ristretto.RistrettoPublic, ulong> RefusedBlocks => _refused;

    /// <summary>Polls and loads until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            bool moreWork;
            try
            {
                moreWork = await PassAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RecoveryDbException or OperationCanceledException or TimeoutException)
            {
                ViewMetrics.DatabaseErrors.Inc();
                LogDatabaseError(_logger, e is RecoveryDbException { IsTransient: false } ? "persistent" : "transient", e.Message);
                await DelayAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception e)
            {
                // An enclave failure (e.g. the ORAM detected tampering) or a bug: stop loading, keep serving what is
                // loaded with the counts reached so far, and say so loudly.
                LogLoaderStopped(_logger, e);
                return;
            }

            if (moreWork)
            {
                continue;
            }

            if (!IsCaughtUp)
            {
                var progress = Progress;
                LogCaughtUp(_logger, _enclave.RecordCount, progress.HighestProcessedBlockCount, progress.LastKnownBlockCount);
                ViewMetrics.Ready.Set(1);
                _caughtUp.TrySetResult();
            }

            await DelayAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One pass: every key's next batch, then the block counts. Returns whether any key had a full batch (more to load).</summary>
    internal async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        var keys = await _db.GetIngressKeyRecordsAsync(0, IngressKeyFilters.All, cancellationToken).ConfigureAwait(false);
        var moreWork = false;
        foreach (var key in keys)
        {
            if (_refused.ContainsKey(key.Key) || _tracker.NextBlock(key) is not { } next)
            {
                continue;
            }

            var end = Math.Min(key.BlockRange.End, next > ulong.MaxValue - (ulong)_options.BlockQueryBatchSize ? ulong.MaxValue : next + (ulong)_options.BlockQueryBatchSize);
            var blocks = await _db.GetTxOutsByBlockRangeAndKeyAsync(key.Key, new BlockRange(next, end), cancellationToken).ConfigureAwait(false);
            var expected = next;
            foreach (var block in blocks)
            {
                if (block.BlockIndex != expected)
                {
                    // The DB returns consecutive blocks from the range start; anything else is a broken backend.
                    throw new RecoveryDbException(RecoveryDbError.InconsistentData, $"Asked for blocks from {next} under ingress key {key.Key}, got block {block.BlockIndex} where {expected} was due.");
                }

                if (!Load(key, block))
                {
                    break;
                }

                expected++;
            }

            moreWork |= blocks.Count > 0 && (ulong)blocks.Count == end - next && expected == end;
        }

        var (count, blockedBy) = _tracker.HighestFullyProcessedBlockCount(keys);
        await PublishAsync(count, cancellationToken).ConfigureAwait(false);
        WarnIfStalled(count, blockedBy);
        return moreWork;
    }

    private bool Load(IngressPublicKeyRecord key, IngestedBlock block)
    {
        var records = new ViewRecord[block.Records.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = new ViewRecord(block.Records[i].SearchKey, block.Records[i].Payload);
        }

        var result = _enclave.AddRecords(records);
        if (!result.IsOk)
        {
            _refused[key.Key] = block.BlockIndex;
            ViewMetrics.LoadFailures.Inc();
            LogLoadRefused(_logger, block.BlockIndex, key.Key.ToString(), result.Status, result.FailedIndex, records.Length);
            return false;
        }

        _tracker.BlockProcessed(key.Key, block.BlockIndex);
        ViewMetrics.BlocksLoaded.Inc();
        ViewMetrics.RecordsLoaded.Inc(records.Length);
        var count = _enclave.RecordCount;
        ViewMetrics.MapRecords.Set(count);
        ViewMetrics.MapFillRatio.Set((double)count / _enclave.Capacity);
        return true;
    }

    private async Task PublishAsync(ulong highestProcessed, CancellationToken cancellationToken)
    {
        var previous = Progress;
        var known = _tracker.HighestKnownBlockCount;
        var timestamp = previous.HighestProcessedBlockSignatureTimestamp;
        if (highestProcessed != previous.HighestProcessedBlockCount && highestProcessed > 0 &&
            await _db.GetBlockSignatureTimestampForBlockAsync(highestProcessed - 1, cancellationToken).ConfigureAwait(false) is { } found &&
            found != ulong.MaxValue)
        {
            timestamp = found;
        }

        var cumulative = previous.LastKnownBlockCumulativeTxoCount;
        if (known != previous.LastKnownBlockCount && known > 0)
        {
            try
            {
                cumulative = await _db.GetCumulativeTxoCountForBlockAsync(known - 1, cancellationToken).ConfigureAwait(false) ?? cumulative;
            }
            catch (RecoveryDbException e) when (e.Error == RecoveryDbError.InconsistentData)
            {
                // Two ingress keys stored different counts for the block: a hint for ring sampling, not worth stopping for.
                LogInconsistentCount(_logger, known - 1, e.Message);
            }
        }

        if (highestProcessed > previous.HighestProcessedBlockCount)
        {
            LogProgress(_logger, highestProcessed, known);
        }

        Volatile.Write(ref _progress, new ViewProgress(highestProcessed, timestamp, known, cumulative));
        ViewMetrics.HighestProcessedBlockCount.Set(highestProcessed);
        ViewMetrics.LastKnownBlockCount.Set(known);
    }

    private void WarnIfStalled(ulong count, IngressPublicKeyRecord? blockedBy)
    {
        if (blockedBy is null)
        {
            _stalledSince = -1;
            _stallWarned = false;
            return;
        }

        var now = _time.GetTimestamp();
        if (_stalledSince < 0 || count != _stalledAt)
        {
            _stalledSince = now;
            _stalledAt = count;
            _stallWarned = false;
        }

        if (!_stallWarned && _time.GetElapsedTime(_stalledSince, now) >= _options.StallWarningAfter)
        {
            _stallWarned = true;
            LogStalled(_logger, count, _tracker.HighestKnownBlockCount, blockedBy.Key.ToString(), _tracker.LastLoaded(blockedBy.Key)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none");
        }
    }

    private async Task DelayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_options.DbPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "View caught up with the recovery DB: {Records} records loaded, highest processed block count {HighestProcessed}, last known {LastKnown}; answering queries")]
    private static partial void LogCaughtUp(ILogger logger, ulong records, ulong highestProcessed, ulong lastKnown);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Debug, Message = "Highest processed block count {HighestProcessed} (last known {LastKnown})")]
    private static partial void LogProgress(ILogger logger, ulong highestProcessed, ulong lastKnown);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Error, Message = "The view enclave refused block {Block} of ingress key {IngressKey}: {Status} at record {FailedIndex} of {Records}. Loading under this key stops here and the processed block count will not pass it; for MapOverflow restart with a larger --omap-capacity")]
    private static partial void LogLoadRefused(ILogger logger, ulong block, string ingressKey, ViewAddRecordsStatus status, int failedIndex, int records);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Recovery DB error while loading ({Kind}); retrying: {Reason}")]
    private static partial void LogDatabaseError(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Critical, Message = "The view loader stopped; the server keeps answering from what is loaded, with the block counts reached so far. Restart it")]
    private static partial void LogLoaderStopped(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Warning, Message = "Recovery DB rows disagree on the cumulative TxO count of block {Block}; keeping the previous value: {Reason}")]
    private static partial void LogInconsistentCount(ILogger logger, ulong block, string reason);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Warning, Message = "Highest processed block count stuck at {HighestProcessed} (last known {LastKnown}): waiting for ingress key {IngressKey}, whose last loaded block is {LastLoaded}")]
    private static partial void LogStalled(ILogger logger, ulong highestProcessed, ulong lastKnown, string ingressKey, string lastLoaded);
}
