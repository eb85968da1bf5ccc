using System.Runtime.CompilerServices;
using Fog.Model.Ledger;
using Fog.Storage.Ledger;

namespace Fog.Services.BlockSources;

/// <summary>
/// Reads the chain from an LMDB ledger on this machine that another process (the node) appends to. LMDB lets readers
/// run beside the writer; new blocks are noticed by polling the block count.
/// </summary>
public sealed class LocalBlockSource : IBlockSource
{
    private readonly LmdbLedgerStore _store;
    private readonly TimeSpan _pollInterval;

    /// <summary>Opens the ledger at <paramref name="ledgerPath"/>.</summary>
    public LocalBlockSource(string ledgerPath, TimeSpan? pollInterval = null)
    {
        if (!Directory.Exists(ledgerPath))
        {
            throw new DirectoryNotFoundException($"No ledger at '{ledgerPath}': give the directory of a node's LMDB ledger.");
        }

        _store = LmdbLedgerStore.Open(ledgerPath);
        _pollInterval = pollInterval ?? TimeSpan.FromMilliseconds(100);
    }

    /// <inheritdoc />
    public ILedgerStore Ledger => _store;

    /// <inheritdoc />
    public async IAsyncEnumerable<BlockData> FollowAsync(ulong startIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = startIndex;
        while (!cancellationToken.IsCancellationRequested)
        {
            var count = _store.NumBlocks;
            while (next < count)
            {
                yield return _store.GetBlockData(next)!;
                next++;
            }

            try
            {
                await Task.Delay(_pollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }
}
