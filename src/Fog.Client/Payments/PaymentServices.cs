using Fog.Client.Reports;
using Fog.Model.Addresses;
using Fog.Model.Transactions;

namespace Fog.Client.Payments;

/// <summary>Finds and validates the fog report of a fog address.</summary>
public interface IFogReportResolver
{
    /// <summary>Resolves <paramref name="address"/>'s fog report (the address must use fog).</summary>
    Task<ValidatedFogPubkey> ResolveAsync(PublicAddress address, CancellationToken cancellationToken);
}

/// <summary>Where transactions go, and how their outputs are found once in a block.</summary>
public interface ITransactionSubmitter
{
    /// <summary>The ledger's block count, its block version and the minimum fee per token.</summary>
    Task<(ulong NumBlocks, BlockVersion BlockVersion, IReadOnlyDictionary<ulong, ulong> MinimumFees)> GetNetworkInfoAsync(CancellationToken cancellationToken);

    /// <summary>Submits a transaction; Ok means queued for a block.</summary>
    Task<TxValidationResult> ProposeAsync(Tx tx, CancellationToken cancellationToken);

    /// <summary>The block holding the TxOut with this public key, or null if it is not in the ledger (yet).</summary>
    Task<ulong?> FindBlockOfAsync(ReadOnlyMemory<byte> txOutPublicKey, CancellationToken cancellationToken);
}
