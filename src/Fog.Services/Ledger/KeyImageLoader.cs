using Fog.Enclaves.KeyImage;
using Fog.Model.Ledger;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Microsoft.Extensions.Logging;

namespace Fog.Services.Ledger;

/// <summary>How far the key-image enclave is loaded: what every key-image check reports.</summary>
/// <param name="NumBlocks">Every key image of every block below this count is in the enclave.</param>
/// <param name="GlobalTxoCount">TxOuts in those blocks.</param>
/// <param name="LatestBlockVersion">The version of block <paramref name="NumBlocks"/> − 1.</param>
public sealed record KeyImageProgress(ulong NumBlocks, ulong GlobalTxoCount, uint LatestBlockVersion)
{
    /// <summary>Nothing loaded.</summary>
    public static KeyImageProgress Empty { get; } = new(0, 0, 0);
}

/// <summary>
/// Follows the block source from block 0 and loads every block's key images (with the block index and timestamp) into
/// the key-image enclave, in order. Caught up once every block present when it started is loaded; key-image checks are
/// refused until then. If the map overflows, loading stops and the reported block count stays where it was.
/// </summary>
internal sealed partial class KeyImageLoader(IBlockSource source, IKeyImageEnclave enclave, ILogger logger) : IEnclaveLoader
{
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private KeyImageProgress _progress = KeyImageProgress.Empty;

    /// <summary>The latest progress.</summary>
    public KeyImageProgress Progress => Volatile.Read(ref _progress);

    /// <summary>Whether the blocks present at start are loaded.</summary>
    public bool IsCaughtUp => _caughtUp.Task.IsCompleted;

    /// <summary>Completes when the blocks present at start are loaded.</summary>
    public Task CaughtUp => _caughtUp.Task;

    /// <summary>Loads until cancelled (or until the map overflows).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        LedgerMetrics.MapCapacity.Set(enclave.Capacity);
        var target = source.Ledger.NumBlocks;
        if (target == 0)
        {
            MarkCaughtUp();
        }

        try
        {
            await foreach (var block in source.FollowAsync(0, cancellationToken).ConfigureAwait(false))
            {
                if (!Load(block))
                {
                    return;
                }

                if (!IsCaughtUp && block.Block.Index + 1 >= target)
                {
                    MarkCaughtUp();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The block source or the enclave failed: keep answering with the blocks loaded so far, and say so loudly.
            LogStopped(logger, Progress.NumBlocks, e);
        }
    }

    private bool Load(BlockData block)
    {
        var index = block.Block.Index;
        var timestamp = block.Timestamp ?? ulong.MaxValue;
        var keyImages = block.Contents.KeyImages;
        var records = new KeyImageRecord[keyImages.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = new KeyImageRecord(keyImages[i].ToArray(), index, timestamp);
        }

        var result = enclave.AddKeyImages(records);
        if (!result.IsOk)
        {
            LogOverflow(logger, index, enclave.Capacity, enclave.KeyImageCount);
            return false;
        }

        if (result.Rejected > 0)
        {
            LedgerMetrics.KeyImagesRejected.Inc(result.Rejected);
            LogRejected(logger, result.Rejected, index);
        }

        Volatile.Write(ref _progress, new KeyImageProgress(index + 1, block.Block.CumulativeTxoCount, block.Block.Version));
        LedgerMetrics.BlocksLoaded.Inc();
        LedgerMetrics.KeyImagesLoaded.Inc(result.Added + result.Overwritten);
        LedgerMetrics.NumBlocks.Set(index + 1);
        var count = enclave.KeyImageCount;
        LedgerMetrics.MapKeyImages.Set(count);
        LedgerMetrics.MapFillRatio.Set((double)count / enclave.Capacity);
        return true;
    }

    private void MarkCaughtUp()
    {
        if (_caughtUp.TrySetResult())
        {
            LedgerMetrics.Ready.Set(1);
            LogCaughtUp(logger, Progress.NumBlocks, enclave.KeyImageCount);
        }
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Fog ledger caught up: key images of {Blocks} blocks loaded ({KeyImages} key images); answering key-image checks")]
    private static partial void LogCaughtUp(ILogger logger, ulong blocks, ulong keyImages);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Critical, Message = "The key-image map is full at block {Block} (capacity {Capacity}, {KeyImages} stored): loading stopped and checks keep reporting the blocks loaded so far. Restart with a larger --omap-capacity")]
    private static partial void LogOverflow(ILogger logger, ulong block, ulong capacity, ulong keyImages);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Critical, Message = "The key-image loader stopped after {Blocks} blocks; checks keep reporting that count. Restart the server")]
    private static partial void LogStopped(ILogger logger, ulong blocks, Exception exception);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Warning, Message = "{Count} key images of block {Block} cannot be stored in the map (malformed); checks for them answer KeyImageError")]
    private static partial void LogRejected(ILogger logger, int count, ulong block);
}
