using System.Runtime.CompilerServices;
using Fog.Api.Node;
using Fog.Model.Ledger;
using Fog.Storage.Ledger;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Fog.Services.BlockSources;

/// <summary>
/// Follows a remote node over gRPC (<c>fog_node.NodeAPI/StreamBlocks</c>) and keeps a local LMDB copy of its chain, so a
/// restart resumes where it stopped. Every block is checked before it is kept: the ledger's append checks (index, parent,
/// contents hash, block id, unique outputs and key images), and its signature by the node's key — the signer of the
/// first signed block unless one is configured.
/// </summary>
public sealed partial class RemoteBlockSource : IBlockSource
{
    private const int MaxBatch = 256;

    private readonly LmdbLedgerStore _store;
    private readonly GrpcChannel _channel;
    private readonly NodeAPI.NodeAPIClient _client;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sync;
    private byte[]? _signer;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts copying the chain of the node at <paramref name="nodeUri"/> into <paramref name="copyPath"/>.</summary>
    /// <param name="nodeUri">The node's client URI.</param>
    /// <param name="copyPath">The local LMDB copy (created when missing; resumed when present).</param>
    /// <param name="logger">Where progress and failures are logged.</param>
    /// <param name="trustedSigner">The node's Ed25519 block-signing key; null to trust the signer of the first signed block.</param>
    public RemoteBlockSource(Uri nodeUri, string copyPath, ILogger logger, ReadOnlyMemory<byte>? trustedSigner = null)
    {
        ArgumentNullException.ThrowIfNull(nodeUri);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _store = LmdbLedgerStore.Open(copyPath);
        _signer = trustedSigner?.ToArray() ?? (_store.NumBlocks > 0 ? _store.GetBlockData(0)?.Signature?.Signer.ToArray() : null);
        _channel = GrpcChannel.ForAddress(nodeUri);
        _client = new NodeAPI.NodeAPIClient(_channel);
        _sync = Task.Run(() => SyncAsync(_stop.Token));
    }

    /// <inheritdoc />
    public ILedgerStore Ledger => _store;

    /// <summary>The last error that stopped copying (it retries), or null.</summary>
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlockData> FollowAsync(ulong startIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = startIndex;
        while (!cancellationToken.IsCancellationRequested)
        {
            var signal = Volatile.Read(ref _appended).Task;
            var count = _store.NumBlocks;
            while (next < count)
            {
                yield return _store.GetBlockData(next)!;
                next++;
            }

            try
            {
                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _sync.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _channel.Dispose();
        _store.Dispose();
        _stop.Dispose();
    }

    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await CopyAsync(cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(200);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or InvalidDataException or HttpRequestException or IOException)
            {
                LastError = e.Message;
                LogRetrying(_logger, e.Message, backoff.TotalSeconds);
            }

            try
            {
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private async Task CopyAsync(CancellationToken cancellationToken)
    {
        // Re-read the last block we hold, to check the node still has the same chain.
        var held = _store.NumBlocks;
        var start = held == 0 ? 0 : held - 1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = _client.StreamBlocks(new StreamBlocksRequest { StartIndex = start, Follow = true }, cancellationToken: stop.Token);

        // Blocks are received on one task and appended in batches (one durable commit per batch) on this one, so a
        // follower catching up is not limited by one disk sync per block.
        var received = System.Threading.Channels.Channel.CreateBounded<BlockData>(new System.Threading.Channels.BoundedChannelOptions(MaxBatch * 2) { SingleReader = true, SingleWriter = true });
        var pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var archived in call.ResponseStream.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    if (!BlockData.TryParseArchiveBlock(Google.Protobuf.MessageExtensions.ToByteArray(archived), out var block))
                    {
                        throw new InvalidDataException($"The node sent a block that does not parse (after block {_store.NumBlocks}).");
                    }

                    await received.Writer.WriteAsync(block, stop.Token).ConfigureAwait(false);
                }

                received.Writer.Complete();
            }
            catch (Exception e)
            {
                received.Writer.Complete(e);
            }
        }, CancellationToken.None);

        try
        {
            await AppendReceivedAsync(received.Reader, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Stop receiving (on success the stream has ended; on failure this ends it) and wait for the receiver.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException)
            {
            }
        }
    }

    private async Task AppendReceivedAsync(System.Threading.Channels.ChannelReader<BlockData> received, CancellationToken cancellationToken)
    {
        var batch = new List<BlockData>();
        while (await received.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && received.TryRead(out var block))
            {
                if (block.Block.Index < _store.NumBlocks)
                {
                    var mine = _store.GetBlockData(block.Block.Index)!;
                    if (!mine.Block.Id.SequenceEqual(block.Block.Id))
                    {
                        throw new InvalidDataException(
                            $"The local copy diverges from the node at block {block.Block.Index}: remove {_store.Path} to copy the node's chain afresh.");
                    }

                    continue;
                }

                if (block.Signature is { } signature)
                {
                    _signer ??= signature.Signer.ToArray();
                    if (!signature.Signer.SequenceEqual(_signer) || !signature.Verify(block.Block))
                    {
                        throw new InvalidDataException($"Block {block.Block.Index} is not signed by the node's key {Convert.ToHexStringLower(_signer)[..16]}….");
                    }
                }

                batch.Add(block);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            var (appended, result) = _store.AppendBatch(batch);
            if (appended > 0)
            {
                LastError = null;
                Interlocked.Exchange(ref _appended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }

            if (appended < batch.Count)
            {
                throw new InvalidDataException($"The node sent block {batch[appended].Block.Index}, which the ledger refuses: {result}.");
            }
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Following the node failed ({Reason}); retrying in {Seconds} s")]
    private static partial void LogRetrying(ILogger logger, string reason, double seconds);
}
