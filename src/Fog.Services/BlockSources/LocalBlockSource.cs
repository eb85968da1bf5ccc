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
    private readonly InProcessBlockSource _follower;

    /// <summary>Opens the ledger at <paramref name="ledgerPath"/>.</summary>
    public LocalBlockSource(string ledgerPath, TimeSpan? pollInterval = null)
    {
        if (!Directory.Exists(ledgerPath))
        {
            throw new DirectoryNotFoundException($"No ledger at '{ledgerPath}': give the directory of a node's LMDB ledger.");
        }

        _store = LmdbLedgerStore.Open(ledgerPath);
        _follower = new InProcessBlockSource(_store, pollInterval ?? TimeSpan.FromMilliseconds(100));
    }

    /// <inheritdoc />
    public ILedgerStore Ledger => _store;

    /// <inheritdoc />
    public IAsyncEnumerable<BlockData> FollowAsync(ulong startIndex, CancellationToken cancellationToken) =>
        _follower.FollowAsync(startIndex, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }
}
