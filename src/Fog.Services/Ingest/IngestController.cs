using Fog.Api.AccountIngest;
using Fog.Api.Attest;
using Fog.Api.External;
using Fog.Api.IngestCommon;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Enclaves.Ingest;
using Fog.Model.Ledger;
using Fog.Services.BlockSources;
using Fog.Storage.Recovery;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Fog.Services.Ingest;

/// <summary>The state an ingest server starts from (restored from its state file, or fresh).</summary>
/// <param name="Mode">The mode saved; Active is restored only if activation succeeds again.</param>
/// <param name="NextBlockIndex">The next block saved.</param>
/// <param name="PubkeyExpiryWindow">The expiry window.</param>
/// <param name="Peers">The peer list (normalised URIs).</param>
internal sealed record IngestInitialState(IngestControllerMode Mode, ulong NextBlockIndex, ulong PubkeyExpiryWindow, IReadOnlyList<IngestPeerUri> Peers);

/// <summary>
/// The ingest controller (ingest.md §2.6–§2.8): the idle/active state machine, the block loop that feeds each block's
/// TxOuts to the enclave and stores its records before advancing, the ingest invocations and reports it publishes,
/// the admin and peer operations, and the peer checkup. All state changes and block processing are serialised.
/// </summary>
/// <remarks>
/// Invariants kept: a new ingest invocation is recorded before any record made under a new egress key; records the
/// enclave produced but that could not be stored are never followed by later ones under the same egress key (the
/// key is rotated), so clients' RNG sequences have no gaps; the unique (ingress key, block) constraint fences two
/// active servers sharing a key, and the loser goes idle with a fresh egress key.
/// </remarks>
internal sealed partial class IngestController : IAsyncDisposable
{
    private static readonly Gauge ModeGauge = Prometheus.Metrics.CreateGauge("fog_ingest_active", "1 when the server is active, 0 when idle.", "responder_id");
    private static readonly Gauge NextBlockGauge = Prometheus.Metrics.CreateGauge("fog_ingest_next_block_index", "The next block the server will ingest.", "responder_id");
    private static readonly Counter BlocksCounter = Prometheus.Metrics.CreateCounter("fog_ingest_blocks_total", "Blocks ingested and stored.", "responder_id");
    private static readonly Counter TxOutsCounter = Prometheus.Metrics.CreateCounter("fog_ingest_txouts_total", "TxOuts ingested and stored.", "responder_id");
    private static readonly Counter RotationsCounter = Prometheus.Metrics.CreateCounter("fog_ingest_egress_rotations_total", "Egress key rotations (counter-map overflow, fencing, errors).", "responder_id");
    private static readonly Counter FencedCounter = Prometheus.Metrics.CreateCounter("fog_ingest_fenced_total", "Blocks another server with the same key stored first.", "responder_id");

    private readonly IngestServerOptions _options;
    private readonly IIngestEnclave _enclave;
    private readonly IRecoveryDb _db;
    private readonly IBlockSource _source;
    private readonly IngestPeerClient _peerClient;
    private readonly ILogger _logger;
    private readonly string _responderId;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _restoreActive;
    private Task _worker = Task.CompletedTask;
    private Task _checkup = Task.CompletedTask;

    private IngestControllerMode _mode = IngestControllerMode.Idle;
    private ulong _nextBlockIndex;
    private ulong _pubkeyExpiryWindow;
    private long? _invocationId;
    private KexRngPubkey? _invocationEgress;
    private IReadOnlyList<IngestPeerUri> _peers;
    private int _generation;
    private CancellationTokenSource? _follow;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IngestSummary _snapshot = new();
    private int _disposed;

    internal IngestController(IngestServerOptions options, IIngestEnclave enclave, IRecoveryDb db, IBlockSource source, IngestInitialState initial, ILogger logger)
    {
        _options = options;
        _enclave = enclave;
        _db = db;
        _source = source;
        _logger = logger;
        _responderId = options.EffectiveResponderId;
        _peerClient = new IngestPeerClient(enclave, options.PeerCallTimeout);
        _nextBlockIndex = initial.NextBlockIndex;
        _pubkeyExpiryWindow = initial.PubkeyExpiryWindow;
        _peers = initial.Peers;
        _restoreActive = initial.Mode == IngestControllerMode.Active;
        PublishStateLocked(writeFile: false);
    }

    private enum Outcome
    {
        Continue,
        Restart,
        RetryLater,
    }

    /// <summary>The current summary (a snapshot; never blocks).</summary>
    internal IngestSummary Summary => Volatile.Read(ref _snapshot).Clone();

    /// <summary>Starts the block loop and the peer checkup.</summary>
    internal void Start()
    {
        _gate.Wait();
        try
        {
            // The sealed ingress key is on disk from the start, so a restart keeps it.
            PublishStateLocked();
        }
        finally
        {
            _gate.Release();
        }

        _worker = Task.Run(() => RunAsync(_stop.Token));
        _checkup = Task.Run(() => CheckupLoopAsync(_stop.Token));
    }

    // ---- Admin API (account_ingest.AccountIngestAPI) ----

    internal async Task<IngestSummary> ActivateAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_mode == IngestControllerMode.Active)
            {
                return Summary;
            }

            await ConfirmPeersAsync(_peers, failIfAnotherIsActive: true, cancellationToken).ConfigureAwait(false);
            var ingress = IngressKey();
            ulong start;
            var status = await Db(() => _db.GetIngressKeyStatusAsync(ingress, cancellationToken)).ConfigureAwait(false);
            if (status is not null)
            {
                var last = await Db(() => _db.GetLastScannedBlockIndexAsync(ingress, cancellationToken)).ConfigureAwait(false);
                start = last is { } scanned ? scanned + 1 : status.StartBlock;
            }
            else
            {
                try
                {
                    start = await _db.NewIngressKeyAsync(ingress, _source.Ledger.NumBlocks, cancellationToken).ConfigureAwait(false);
                    LogNewIngressKey(_logger, KeyId(ingress), start);
                }
                catch (RecoveryDbException e) when (e.Error == RecoveryDbError.IngressKeyAlreadyExists)
                {
                    // Another server with the same key registered it first.
                    status = await Db(() => _db.GetIngressKeyStatusAsync(ingress, cancellationToken)).ConfigureAwait(false);
                    start = status!.StartBlock;
                }
                catch (RecoveryDbException e)
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, $"CreatingNewIngressKey: the recovery database failed ({e.Error}): {e.Message}"));
                }
            }

            _nextBlockIndex = start;
            var published = await Db(() => PublishReportLockedAsync(cancellationToken)).ConfigureAwait(false);
            if (published.Lost)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"KeyLost: ingress key {KeyId(ingress)} was reported lost; call NewKeys, then Activate."));
            }

            if (published.Retired && start > published.PubkeyExpiry)
            {
                throw new RpcException(new Status(
                    StatusCode.FailedPrecondition,
                    $"KeyAlreadyRetired: ingress key {Convert.ToHexStringLower(ingress.Bytes)} is retired and was scanned up to its expiry (block {published.PubkeyExpiry}); call NewKeys, then Activate."));
            }

            SetModeLocked(IngestControllerMode.Active);
            LogActivated(_logger, KeyId(ingress), start);
            PublishStateLocked();
            return Summary;
        }
        finally
        {
            _gate.Release();
        }
    }

    internal Task<IngestSummary> NewKeysAsync(CancellationToken cancellationToken) => WhileIdleAsync("NewKeys", async () =>
    {
        await DecommissionLockedAsync(cancellationToken).ConfigureAwait(false);
        _enclave.NewKeys();
        RotationsCounter.WithLabels(_responderId).Inc();
        LogNewKeys(_logger, KeyId(IngressKey()));
        PublishStateLocked();
    }, cancellationToken);

    internal Task<IngestSummary> SetPubkeyExpiryWindowAsync(ulong window, CancellationToken cancellationToken) => LockedAsync(() =>
    {
        if (window is 0 or > 1_000_000)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "pubkey_expiry_window must be between 1 and 1,000,000 blocks."));
        }

        if (_mode == IngestControllerMode.Active && window < _pubkeyExpiryWindow)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"An active server may only raise the expiry window (it is {_pubkeyExpiryWindow}): senders already hold keys valid for it."));
        }

        _pubkeyExpiryWindow = window;
        PublishStateLocked();
        return Task.CompletedTask;
    }, cancellationToken);

    internal Task<IngestSummary> SetPeersAsync(IEnumerable<string> uris, CancellationToken cancellationToken) => LockedAsync(() =>
    {
        var peers = new List<IngestPeerUri>();
        foreach (var text in uris)
        {
            if (!IngestPeerUri.TryParse(text, out var uri, out var error))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, error));
            }

            if (peers.All(p => p.ResponderId != uri.ResponderId))
            {
                peers.Add(uri);
            }
        }

        if (peers.All(p => p.ResponderId != _responderId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"MissingOurResponderId: the peer list must include this server ('{_responderId}')."));
        }

        _peers = peers.OrderBy(p => p.ResponderId, StringComparer.Ordinal).ToList();
        PublishStateLocked();
        return Task.CompletedTask;
    }, cancellationToken);

    internal Task<IngestSummary> RetireAsync(bool retired, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var ingress = IngressKey();
        try
        {
            await _db.RetireIngressKeyAsync(ingress, retired, cancellationToken).ConfigureAwait(false);
        }
        catch (RecoveryDbException e) when (e.Error == RecoveryDbError.MissingIngressKey)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Ingress key {KeyId(ingress)} is not in the recovery database: it was never activated."));
        }
        catch (RecoveryDbException e)
        {
            throw DbRpc(e);
        }

        LogRetired(_logger, KeyId(ingress), retired);
    }, cancellationToken);

    internal async Task ReportLostIngressKeyAsync(ByteString key, CancellationToken cancellationToken)
    {
        if (!RistrettoPublic.TryFrom(key.Span, out var ingress))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "key must be a 32-byte ristretto255 public key."));
        }

        try
        {
            var range = await _db.ReportLostIngressKeyAsync(ingress, cancellationToken).ConfigureAwait(false);
            LogLost(_logger, KeyId(ingress), range?.ToString() ?? "none");
        }
        catch (RecoveryDbException e) when (e.Error == RecoveryDbError.MissingIngressKey)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Ingress key {KeyId(ingress)} is not in the recovery database."));
        }
        catch (RecoveryDbException e)
        {
            throw DbRpc(e);
        }
    }

    internal async Task<GetMissedBlockRangesResponse> GetMissedBlockRangesAsync(CancellationToken cancellationToken)
    {
        var response = new GetMissedBlockRangesResponse();
        foreach (var range in await Db(() => _db.GetMissedBlockRangesAsync(cancellationToken)).ConfigureAwait(false))
        {
            response.MissedBlockRanges.Add(new Fog.Api.FogCommon.BlockRange { StartBlock = range.Start, EndBlock = range.End });
        }

        return response;
    }

    internal async Task<GetIngressKeyRecordsResponse> GetIngressKeyRecordsAsync(GetIngressKeyRecordsRequest request, CancellationToken cancellationToken)
    {
        var filters = new IngressKeyFilters(request.ShouldIncludeLostKeys, request.ShouldIncludeRetiredKeys, request.ShouldOnlyIncludeUnexpiredKeys);
        var records = await Db(() => _db.GetIngressKeyRecordsAsync(request.StartBlockAtLeast, filters, cancellationToken)).ConfigureAwait(false);
        var response = new GetIngressKeyRecordsResponse();
        foreach (var record in records)
        {
            response.Records.Add(new Fog.Api.AccountIngest.IngressPublicKeyRecord
            {
                IngressPublicKey = new CompressedRistretto { Data = ByteString.CopyFrom(record.Key.Bytes) },
                StartBlock = record.Status.StartBlock,
                PubkeyExpiry = record.Status.PubkeyExpiry,
                Retired = record.Status.Retired,
                Lost = record.Status.Lost,
                LastScannedBlock = record.LastScannedBlock ?? 0,
            });
        }

        return response;
    }

    internal Task<IngestSummary> SyncKeysFromRemoteAsync(string peerUri, CancellationToken cancellationToken)
    {
        if (!IngestPeerUri.TryParse(peerUri, out var remote, out var error))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, error));
        }

        return WhileIdleAsync("SyncKeysFromRemote", async () =>
        {
            bool changed;
            try
            {
                changed = await _peerClient.PullIngressKeyAsync(remote, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
            {
                throw PeerRpc.Unavailable(remote, e);
            }
            catch (PeerAttestationException e)
            {
                throw PeerRpc.AttestationFailed(e);
            }

            LogKeyFromPeer(_logger, remote.ResponderId, KeyId(IngressKey()), changed);
            PublishStateLocked();
        }, cancellationToken);
    }

    // ---- Peer API (ingest_peer.AccountIngestPeerAPI) ----

    internal Message GetIngressPrivateKey(ByteString channelId)
    {
        if (!_enclave.TryEncryptIngressKeyForPeer(channelId.Span, out var message, out _, out var error))
        {
            throw PeerRpc.Attest(error);
        }

        return message;
    }

    internal Task<IngestSummary> SetIngressPrivateKeyAsync(Message message, CancellationToken cancellationToken) => WhileIdleAsync("SetIngressPrivateKey", () =>
    {
        if (!_enclave.TrySetIngressKeyFromPeer(message, out var changed, out var error))
        {
            throw PeerRpc.Attest(error);
        }

        LogKeyFromPeer(_logger, "a peer", KeyId(IngressKey()), changed);
        PublishStateLocked();
        return Task.CompletedTask;
    }, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _follow?.Cancel();
        }
        finally
        {
            _gate.Release();
        }

        try
        {
            await Task.WhenAll(_worker, _checkup).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _peerClient.Dispose();
        _stop.Dispose();
    }

    // ---- The block loop ----

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_restoreActive)
        {
            await RestoreActiveAsync(cancellationToken).ConfigureAwait(false);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            CancellationTokenSource? follow = null;
            Task? wake = null;
            ulong start = 0;
            var generation = 0;
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_mode == IngestControllerMode.Active)
                {
                    follow = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    _follow = follow;
                    start = _nextBlockIndex;
                    generation = _generation;
                }
                else
                {
                    wake = _wake.Task;
                }
            }
            finally
            {
                _gate.Release();
            }

            if (follow is null)
            {
                try
                {
                    await wake!.WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }

                continue;
            }

            try
            {
                var retry = false;
                await foreach (var block in _source.FollowAsync(start, follow.Token).ConfigureAwait(false))
                {
                    var outcome = await ProcessNextBlockAsync(block, generation, cancellationToken).ConfigureAwait(false);
                    if (outcome != Outcome.Continue)
                    {
                        retry = outcome == Outcome.RetryLater;
                        break;
                    }
                }

                if (retry)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The mode changed: start over.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogUnexpected(_logger, e.GetType().Name, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                if (ReferenceEquals(_follow, follow))
                {
                    _follow = null;
                }

                _gate.Release();
                follow.Dispose();
            }
        }
    }

    private async Task<Outcome> ProcessNextBlockAsync(BlockData block, int generation, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var index = block.Block.Index;
            if (_mode != IngestControllerMode.Active || _generation != generation || index != _nextBlockIndex)
            {
                return Outcome.Restart;
            }

            // 1. Publish the report before every block; stop once a retired key's expiry has passed.
            IngressPublicKeyStatus status;
            try
            {
                status = await RetryAsync(() => PublishReportLockedAsync(cancellationToken), "publishing the report", cancellationToken).ConfigureAwait(false);
            }
            catch (RecoveryDbException e)
            {
                LogBlockFailed(_logger, index, $"publishing the report failed ({e.Error}): {e.Message}");
                return Outcome.RetryLater;
            }

            if (status.Lost || (status.Retired && index > status.PubkeyExpiry))
            {
                LogStoppingAtExpiry(_logger, KeyId(IngressKey()), index, status.PubkeyExpiry, status.Lost);
                await BecomeIdleLockedAsync(cancellationToken).ConfigureAwait(false);
                return Outcome.Restart;
            }

            // 2. The enclave tags every TxOut.
            if (!TryIngestLocked(block, out var records, out var failure))
            {
                LogBlockFailed(_logger, index, failure);
                return Outcome.RetryLater;
            }

            // 3. An invocation for the egress key the records were made under, recorded before they are published.
            try
            {
                await EnsureInvocationLockedAsync(index, cancellationToken).ConfigureAwait(false);
            }
            catch (RecoveryDbException e)
            {
                LogBlockFailed(_logger, index, $"recording the ingest invocation failed ({e.Error}): {e.Message}");
                RotateUnpublishedLocked();
                return Outcome.RetryLater;
            }

            // 4. Store the block's records; the unique (ingress key, block) constraint fences other servers.
            AddBlockDataResult result;
            try
            {
                var iid = _invocationId!.Value;
                var timestamp = block.Signature?.SignedAt ?? ulong.MaxValue;
                result = await RetryAsync(
                    () => _db.AddBlockDataAsync(iid, index, block.Block.CumulativeTxoCount, timestamp, records, cancellationToken),
                    "storing the block",
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RecoveryDbException e)
            {
                LogBlockFailed(_logger, index, $"storing the records failed ({e.Error}): {e.Message}");
                RotateUnpublishedLocked();
                return Outcome.RetryLater;
            }

            switch (result.Status)
            {
                case AddBlockDataStatus.Added:
                case AddBlockDataStatus.AlreadyScannedWithThisKey when result.ScannedByInvocationId == _invocationId:
                    _nextBlockIndex = index + 1;
                    BlocksCounter.WithLabels(_responderId).Inc();
                    TxOutsCounter.WithLabels(_responderId).Inc(records.Count);
                    PublishStateLocked();
                    return Outcome.Continue;
                case AddBlockDataStatus.AlreadyScannedWithThisKey:
                    FencedCounter.WithLabels(_responderId).Inc();
                    LogFenced(_logger, index, result.ScannedByInvocationId ?? 0);
                    await BecomeIdleLockedAsync(cancellationToken).ConfigureAwait(false);
                    return Outcome.Restart;
                default:
                    // Someone decommissioned our invocation: its RNGs are closed, so start a new one and redo the block.
                    LogInvocationClosed(_logger, _invocationId ?? 0, index);
                    _invocationId = null;
                    _invocationEgress = null;
                    RotateUnpublishedLocked();
                    return Outcome.Restart;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Feeds the block to the enclave chunk by chunk. A rotation after the first chunk restarts the block under a fresh key.</summary>
    private bool TryIngestLocked(BlockData block, out List<ETxOutRecord> records, out string failure)
    {
        var outputs = block.Contents.Outputs;
        records = new List<ETxOutRecord>(outputs.Count);
        failure = "";
        if (block.Block.CumulativeTxoCount < (ulong)outputs.Count)
        {
            failure = $"the block's cumulative TxOut count {block.Block.CumulativeTxoCount} is below its {outputs.Count} outputs";
            return false;
        }

        var firstGlobalIndex = block.Block.CumulativeTxoCount - (ulong)outputs.Count;
        var timestamp = block.Signature?.SignedAt ?? ulong.MaxValue;
        for (var attempt = 0; attempt <= IngestEnclaveOptions.DefaultMaxChunkRetries; attempt++)
        {
            records.Clear();
            var restart = false;
            for (var offset = 0; offset < outputs.Count && !restart; offset += _options.MaxTransactions)
            {
                var count = Math.Min(_options.MaxTransactions, outputs.Count - offset);
                var chunk = new IngestChunk(block.Block.Index, firstGlobalIndex + (ulong)offset, timestamp, outputs.Skip(offset).Take(count).ToList());
                var result = _enclave.IngestTxs(chunk);
                if (result.NewEgressPublicKey is not null)
                {
                    RotationsCounter.WithLabels(_responderId).Inc();
                    LogOverflow(_logger, block.Block.Index, offset);
                }

                if (result.Status != IngestStatus.Ok)
                {
                    // Counters may have advanced for records that will never be published: never reuse this egress key.
                    RotateUnpublishedLocked();
                    failure = $"the enclave refused the TxOuts at offset {offset}: {result.Status}: {result.Message}";
                    return false;
                }

                if (result.NewEgressPublicKey is not null && offset > 0)
                {
                    // Earlier chunks of this block were tagged under the old key: redo the whole block under a fresh one.
                    RotateUnpublishedLocked();
                    restart = true;
                    break;
                }

                foreach (var record in result.Records)
                {
                    records.Add(new ETxOutRecord(record.SearchKey, record.Payload));
                }
            }

            if (!restart)
            {
                return true;
            }
        }

        failure = "the counter map kept overflowing in the middle of the block; lower --max-transactions or raise --user-capacity";
        return false;
    }

    private async Task EnsureInvocationLockedAsync(ulong startBlock, CancellationToken cancellationToken)
    {
        var egress = _enclave.EgressPublicKey;
        if (_invocationId is not null && Equals(_invocationEgress, egress))
        {
            return;
        }

        var ingress = IngressKey();
        var previous = _invocationId;
        long id;
        try
        {
            id = await RetryAsync(() => _db.NewIngestInvocationAsync(previous, ingress, egress, startBlock, cancellationToken), "recording an ingest invocation", cancellationToken).ConfigureAwait(false);
        }
        catch (RecoveryDbException e) when (e.Error == RecoveryDbError.UnknownIngestInvocation && previous is not null)
        {
            id = await RetryAsync(() => _db.NewIngestInvocationAsync(null, ingress, egress, startBlock, cancellationToken), "recording an ingest invocation", cancellationToken).ConfigureAwait(false);
        }

        _invocationId = id;
        _invocationEgress = egress;
        LogNewInvocation(_logger, id, previous ?? 0, startBlock);
    }

    private Task<IngressPublicKeyStatus> PublishReportLockedAsync(CancellationToken cancellationToken)
    {
        var report = _enclave.GetReport();
        var key = RistrettoPublic.From(report.IngressPublicKey);
        var expiry = checked(_nextBlockIndex + _pubkeyExpiryWindow);
        return _db.SetReportAsync(key, _options.FogReportId, new ReportData(_invocationId, report.Evidence, expiry), cancellationToken);
    }

    private async Task BecomeIdleLockedAsync(CancellationToken cancellationToken)
    {
        SetModeLocked(IngestControllerMode.Idle);
        await DecommissionLockedAsync(cancellationToken).ConfigureAwait(false);
        RotateUnpublishedLocked();
        PublishStateLocked();
    }

    private async Task DecommissionLockedAsync(CancellationToken cancellationToken)
    {
        if (_invocationId is { } iid)
        {
            try
            {
                await _db.DecommissionIngestInvocationAsync(iid, cancellationToken).ConfigureAwait(false);
            }
            catch (RecoveryDbException e)
            {
                LogDecommissionFailed(_logger, iid, e.Message);
            }

            _invocationId = null;
            _invocationEgress = null;
        }
    }

    private void RotateUnpublishedLocked()
    {
        _enclave.NewEgressKey();
        RotationsCounter.WithLabels(_responderId).Inc();
    }

    private void SetModeLocked(IngestControllerMode mode)
    {
        _mode = mode;
        _generation++;
        _follow?.Cancel();
        Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private async Task RestoreActiveAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ActivateAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                LogRestoreRetry(_logger, e.Status.Detail, delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min((delay + TimeSpan.FromSeconds(1)).Ticks, _options.MaxRetryDelay.Ticks));
            }
            catch (RpcException e)
            {
                LogRestoreFailed(_logger, e.Status.Detail);
                return;
            }
        }
    }

    // ---- Peers ----

    private async Task CheckupLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_options.PeerCheckupPeriod, cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _snapshot).Mode != IngestControllerMode.Active)
            {
                continue;
            }

            try
            {
                await ConfirmPeersAsync(Volatile.Read(ref _peers), failIfAnotherIsActive: false, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                LogCheckupFailed(_logger, e.Status.Detail);
            }
        }
    }

    /// <summary>
    /// Checks every other peer (not attested: status only), then makes each hold this server's ingress key (pushed over
    /// an attested channel) and peer list (reference: <c>confirm_backup</c>).
    /// </summary>
    private async Task ConfirmPeersAsync(IReadOnlyList<IngestPeerUri> peers, bool failIfAnotherIsActive, CancellationToken cancellationToken)
    {
        var others = peers.Where(p => p.ResponderId != _responderId).ToList();
        if (others.Count == 0)
        {
            return;
        }

        var statuses = new List<(IngestPeerUri Peer, IngestSummary Summary)>();
        foreach (var peer in others)
        {
            IngestSummary summary;
            try
            {
                summary = await _peerClient.GetStatusAsync(peer, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
            {
                throw PeerRpc.Unavailable(peer, e);
            }

            if (summary.Mode == IngestControllerMode.Active)
            {
                if (failIfAnotherIsActive)
                {
                    throw new RpcException(new Status(StatusCode.FailedPrecondition, $"AnotherActivePeer: peer {peer.ResponderId} is active; only one server of a cluster may be."));
                }

                LogPeerActive(_logger, peer.ResponderId);
                continue;
            }

            statuses.Add((peer, summary));
        }

        var ours = _enclave.IngressPublicKey;
        var peerList = peers.Select(p => p.ToString()).ToList();
        foreach (var (peer, status) in statuses)
        {
            var summary = status;
            try
            {
                if (summary.IngressPubkey is null || !summary.IngressPubkey.Data.Span.SequenceEqual(ours))
                {
                    var (updated, sent) = await _peerClient.PushIngressKeyAsync(peer, cancellationToken).ConfigureAwait(false);
                    if (!sent.AsSpan().SequenceEqual(ours))
                    {
                        // Our key changed while we were pushing it (UnexpectedKeyInEnclave): the caller will try again.
                        throw new RpcException(new Status(StatusCode.Aborted, "The ingress key changed while it was being shared; try again."));
                    }

                    LogPushedKey(_logger, peer.ResponderId, KeyId(RistrettoPublic.From(ours)));
                    summary = updated;
                }

                if (!summary.Peers.SequenceEqual(peerList))
                {
                    await _peerClient.SetPeersAsync(peer, peerList, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (RpcException e) when (e.StatusCode is not StatusCode.Aborted and not StatusCode.Cancelled)
            {
                throw e.StatusCode == StatusCode.FailedPrecondition
                    ? new RpcException(new Status(StatusCode.FailedPrecondition, $"Peer {peer.ResponderId} refused the update: {e.Status.Detail}"))
                    : PeerRpc.Unavailable(peer, e);
            }
            catch (PeerAttestationException e)
            {
                throw PeerRpc.AttestationFailed(e);
            }
        }
    }

    // ---- Helpers ----

    private async Task<IngestSummary> WhileIdleAsync(string operation, Func<Task> action, CancellationToken cancellationToken) =>
        await LockedAsync(
            () => _mode == IngestControllerMode.Idle
                ? action()
                : throw new RpcException(new Status(StatusCode.FailedPrecondition, $"ServerNotIdle: {operation} needs an idle server; this one is active.")),
            cancellationToken).ConfigureAwait(false);

    private async Task<IngestSummary> LockedAsync(Func<Task> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await action().ConfigureAwait(false);
            return Summary;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Builds the summary snapshot and, unless told not to, rewrites the state file (sealed key included).</summary>
    private void PublishStateLocked(bool writeFile = true)
    {
        var egress = _enclave.EgressPublicKey;
        var summary = new IngestSummary
        {
            Mode = _mode,
            NextBlockIndex = _nextBlockIndex,
            PubkeyExpiryWindow = _pubkeyExpiryWindow,
            IngressPubkey = new CompressedRistretto { Data = ByteString.CopyFrom(_enclave.IngressPublicKey) },
            EgressPubkey = ByteString.CopyFrom(egress.PublicKey.Span),
            KexRngVersion = egress.Version,
            IngestInvocationId = _invocationId ?? 0,
        };
        summary.Peers.AddRange(_peers.Select(p => p.ToString()));
        Volatile.Write(ref _snapshot, summary);
        ModeGauge.WithLabels(_responderId).Set(_mode == IngestControllerMode.Active ? 1 : 0);
        NextBlockGauge.WithLabels(_responderId).Set(_nextBlockIndex);
        if (writeFile)
        {
            IngestStateFileStore.Write(_options.StateFilePath, new IngestStateFile { Summary = summary, SealedIngressKey = ByteString.CopyFrom(_enclave.SealIngressKey()) });
        }
    }

    private RistrettoPublic IngressKey() => RistrettoPublic.From(_enclave.IngressPublicKey);

    /// <summary>A short public name for a key in logs (its first 4 bytes).</summary>
    private static string KeyId(RistrettoPublic key) => Convert.ToHexStringLower(key.Bytes[..4]) + "…";

    private static async Task<T> Db<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RecoveryDbException e)
        {
            throw DbRpc(e);
        }
    }

    private static RpcException DbRpc(RecoveryDbException e) =>
        new(new Status(e.IsTransient ? StatusCode.Unavailable : StatusCode.Internal, $"The recovery database failed ({e.Error}): {e.Message}"));

    /// <summary>Retries transient database failures with a linearly growing delay (1 s, 2 s, … capped); others propagate.</summary>
    private async Task<T> RetryAsync<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (RecoveryDbException e) when (e.IsTransient)
            {
                LogDbRetry(_logger, what, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min((delay + TimeSpan.FromSeconds(1)).Ticks, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Registered new ingress key {Key} starting at block {StartBlock}")]
    private static partial void LogNewIngressKey(ILogger logger, string key, ulong startBlock);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Active with ingress key {Key} from block {StartBlock}")]
    private static partial void LogActivated(ILogger logger, string key, ulong startBlock);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "New ingress and egress keys; ingress key {Key}")]
    private static partial void LogNewKeys(ILogger logger, string key);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Ingress key {Key} retired: {Retired}")]
    private static partial void LogRetired(ILogger logger, string key, bool retired);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Ingress key {Key} reported lost; missed blocks announced: {Range}")]
    private static partial void LogLost(ILogger logger, string key, string range);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "Ingress key now {Key} after receiving it from {Peer} (changed: {Changed})")]
    private static partial void LogKeyFromPeer(ILogger logger, string peer, string key, bool changed);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "Shared ingress key {Key} with peer {Peer}")]
    private static partial void LogPushedKey(ILogger logger, string peer, string key);

    [LoggerMessage(EventId = 407, Level = LogLevel.Information, Message = "Ingest invocation {InvocationId} starts at block {StartBlock} (replacing {Previous})")]
    private static partial void LogNewInvocation(ILogger logger, long invocationId, long previous, ulong startBlock);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "The counter map overflowed in block {BlockIndex} (chunk at offset {Offset}); the egress key was rotated")]
    private static partial void LogOverflow(ILogger logger, ulong blockIndex, int offset);

    [LoggerMessage(EventId = 409, Level = LogLevel.Warning, Message = "Another server with the same ingress key stored block {BlockIndex} first (invocation {Winner}); going idle with a fresh egress key")]
    private static partial void LogFenced(ILogger logger, ulong blockIndex, long winner);

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "Ingress key {Key} is retired or lost and block {BlockIndex} is past its expiry {Expiry} (lost: {Lost}); going idle")]
    private static partial void LogStoppingAtExpiry(ILogger logger, string key, ulong blockIndex, ulong expiry, bool lost);

    [LoggerMessage(EventId = 411, Level = LogLevel.Error, Message = "Block {BlockIndex} was not ingested: {Reason}; retrying")]
    private static partial void LogBlockFailed(ILogger logger, ulong blockIndex, string reason);

    [LoggerMessage(EventId = 412, Level = LogLevel.Warning, Message = "Ingest invocation {InvocationId} was decommissioned elsewhere; redoing block {BlockIndex} under a new one")]
    private static partial void LogInvocationClosed(ILogger logger, long invocationId, ulong blockIndex);

    [LoggerMessage(EventId = 413, Level = LogLevel.Warning, Message = "Could not decommission ingest invocation {InvocationId} ({Reason}); it is left for the cleanup tool")]
    private static partial void LogDecommissionFailed(ILogger logger, long invocationId, string reason);

    [LoggerMessage(EventId = 414, Level = LogLevel.Warning, Message = "The recovery database failed while {What} ({Reason}); retrying in {Seconds} s")]
    private static partial void LogDbRetry(ILogger logger, string what, string reason, double seconds);

    [LoggerMessage(EventId = 415, Level = LogLevel.Warning, Message = "Restoring the active mode failed ({Reason}); retrying in {Seconds} s")]
    private static partial void LogRestoreRetry(ILogger logger, string reason, double seconds);

    [LoggerMessage(EventId = 416, Level = LogLevel.Warning, Message = "The saved active mode was not restored ({Reason}); the server is idle")]
    private static partial void LogRestoreFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 417, Level = LogLevel.Warning, Message = "Peer checkup failed: {Reason}")]
    private static partial void LogCheckupFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 418, Level = LogLevel.Error, Message = "Peer {Peer} is active at the same time as this server")]
    private static partial void LogPeerActive(ILogger logger, string peer);

    [LoggerMessage(EventId = 419, Level = LogLevel.Error, Message = "The block loop failed unexpectedly ({Type}: {Reason}); restarting")]
    private static partial void LogUnexpected(ILogger logger, string type, string reason);
}
