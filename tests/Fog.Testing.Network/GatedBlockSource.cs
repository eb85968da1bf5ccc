using System.Runtime.CompilerServices;
using Fog.Model.Ledger;
using Fog.Services.BlockSources;

namespace Fog.Testing.Network;

/// <summary>
/// A real block source whose followers receive a block only when its index is below a limit the test sets, so a server
/// can be held mid-load or kept behind the chain while other services go on. The ledger itself (outputs, proofs,
/// blocks by index) stays fully readable.
/// </summary>
/// <param name="inner">The source followed.</param>
/// <param name="open">True to start with every block let through; false to let none through until released.</param>
public sealed class GatedBlockSource(IBlockSource inner, bool open = false) : IBlockSource
{
    private readonly object _gate = new();
    private ulong _limit = open ? ulong.MaxValue : 0;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ILedgerStore Ledger => inner.Ledger;

    /// <summary>Lets <paramref name="blocks"/> more blocks through.</summary>
    public void Release(int blocks = 1) => SetLimit(limit => limit == ulong.MaxValue ? limit : limit + (ulong)blocks);

    /// <summary>Followers stop before block <paramref name="blockCount"/> (they keep what they already have).</summary>
    public void HoldAt(ulong blockCount) => SetLimit(_ => blockCount);

    /// <summary>Lets every block through from now on.</summary>
    public void Open() => SetLimit(_ => ulong.MaxValue);

    public async IAsyncEnumerable<BlockData> FollowAsync(ulong startIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var block in inner.FollowAsync(startIndex, cancellationToken))
        {
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (block.Block.Index < _limit)
                    {
                        break;
                    }

                    changed = _changed.Task;
                }

                await changed.WaitAsync(cancellationToken);
            }

            yield return block;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Open();
        await inner.DisposeAsync();
    }

    private void SetLimit(Func<ulong, ulong> next)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _limit = next(_limit);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }
}
