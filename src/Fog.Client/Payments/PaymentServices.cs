using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Fog.Model.Transactions;

namespace Fog.Client.Payments;

/// <summary>A validated fog report: the ingress key to encrypt a recipient's fog hint to, and until when it is valid.</summary>
/// <param name="IngressPublicKey">The fog ingest enclave's ingress public key.</param>
/// <param name="PubkeyExpiry">The first block index at which the key may no longer be used (the tombstone's upper bound).</param>
public sealed record ResolvedFogReport(RistrettoPublic IngressPublicKey, ulong PubkeyExpiry);

/// <summary>Finds and validates the fog report of a fog address.</summary>
public interface IFogReportResolver
{
    /// <summary>Resolves <paramref name="address"/>'s fog report (the address must use fog).</summary>
    Task<ResolvedFogReport> ResolveAsync(PublicAddress address, CancellationToken cancellationToken);
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
