using Fog.Model.Ledger;

namespace Fog.Services.BlockSources;

/// <summary>
/// Where a Fog service gets the chain: blocks in order, followed as they arrive, and a ledger for lookups (TxOuts,
/// membership proofs, key images). Two implementations: <see cref="LocalBlockSource"/> reads a node's LMDB ledger on
/// this machine; <see cref="RemoteBlockSource"/> copies a remote node's chain into a local LMDB ledger and resumes
/// after restarts.
/// </summary>
public interface IBlockSource : IAsyncDisposable
{
    /// <summary>The ledger blocks are read from (read it, never append to it).</summary>
    ILedgerStore Ledger { get; }

    /// <summary>
    /// Blocks from <paramref name="startIndex"/> on, in order; when caught up, waits for the next block. Ends only when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    IAsyncEnumerable<BlockData> FollowAsync(ulong startIndex, CancellationToken cancellationToken);
}
