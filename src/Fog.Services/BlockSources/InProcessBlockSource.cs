using System.Runtime.CompilerServices;
using Fog.Model.Ledger;

namespace Fog.Services.BlockSources;

/// <summary>
/// Follows a ledger that another component of this process appends to (the dev node in <c>fog demo</c> and
/// <c>fog up</c>), sharing its store rather than opening the same LMDB environment twice (which LMDB forbids within
/// one process). The store must be safe to read while it is written (the LMDB store is); new blocks are noticed by
/// polling the block count. The source does not own the store.
/// </summary>
public sealed class InProcessBlockSource : IBlockSource
{
    private readonly TimeSpan _pollInterval;

    /// <summary>A source over <paramref name="ledger"/>.</summary>
    public InProcessBlockSource(ILedgerStore ledger, TimeSpan? pollInterval = null)
    {
        Ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _pollInterval = pollInterval ?? TimeSpan.FromMilliseconds(50);
    }

    /// <inheritdoc />
    public ILedgerStore Ledger { get; }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlockData> FollowAsync(ulong startIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = startIndex;
        while (!cancellationToken.IsCancellationRequested)
        {
            var count = Ledger.NumBlocks;
            while (next < count)
            {
                yield return Ledger.GetBlockData(next)!;
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
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
