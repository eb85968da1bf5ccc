using Fog.Client.Node;
using Fog.Model.Transactions;

namespace Fog.Client.Payments;

/// <summary>The dev node as the place transactions go and outputs are looked up.</summary>
internal sealed class NodeSubmitter(NodeClient node) : ITransactionSubmitter
{
    public async Task<(ulong NumBlocks, BlockVersion BlockVersion, IReadOnlyDictionary<ulong, ulong> MinimumFees)> GetNetworkInfoAsync(CancellationToken cancellationToken)
    {
        var info = await node.GetLedgerInfoAsync(cancellationToken).ConfigureAwait(false);
        return (info.NumBlocks, new BlockVersion(info.BlockVersion), info.MinimumFees.ToDictionary(p => p.Key, p => p.Value));
    }

    public Task<TxValidationResult> ProposeAsync(Tx tx, CancellationToken cancellationToken) => node.ProposeAsync(tx, cancellationToken);

    public async Task<ulong?> FindBlockOfAsync(ReadOnlyMemory<byte> txOutPublicKey, CancellationToken cancellationToken)
    {
        var found = await node.FindTxOutsAsync([txOutPublicKey], cancellationToken).ConfigureAwait(false);
        return found is [{ Found: true } location] ? location.BlockIndex : null;
    }
}
