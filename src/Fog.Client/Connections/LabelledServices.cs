using System.Net.Sockets;
using Fog.Attestation;
using Fog.Client.Balance;
using Fog.Client.Ledger;
using Fog.Client.Payments;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Grpc.Core;

namespace Fog.Client.Connections;

/// <summary>Turns transport, attestation and service errors of one service into a <see cref="FogServiceException"/> naming it.</summary>
internal static class ServiceFailures
{
    internal static async Task<T> LabelAsync<T>(string service, string address, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AttestException e)
        {
            throw new FogServiceException(service, address, FogServiceFailure.AttestationFailed, $"{service} at {address} failed attestation: {e.Error.ToString().TrimEnd('.')}. Check that the network configuration trusts this deployment (measurements, simulation root).", e);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is HttpRequestException or SocketException)
        {
            var reason = e.Status.DebugException.InnerException?.Message ?? e.Status.DebugException.Message;
            throw new FogServiceException(service, address, FogServiceFailure.Unreachable, $"cannot reach {service} at {address} ({reason}). Is it running, and does the network configuration point at it?", e);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw new FogServiceException(service, address, FogServiceFailure.Refused, $"{service} at {address} answered {e.StatusCode}: {e.Status.Detail}", e);
        }
        catch (HttpRequestException e)
        {
            throw new FogServiceException(service, address, FogServiceFailure.Unreachable, $"cannot reach {service} at {address} ({e.Message}). Is it running, and does the network configuration point at it?", e);
        }
    }
}

/// <summary>Fog view as the balance check uses it, its failures named.</summary>
internal sealed class LabelledView(IFogViewService inner, string address) : IFogViewService
{
    public Task<ViewQueryResult> QueryAsync(long startFromUserEventId, ulong startFromBlockIndex, IReadOnlyList<byte[]> searchKeys, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync("fog view", address, () => inner.QueryAsync(startFromUserEventId, startFromBlockIndex, searchKeys, cancellationToken));
}

/// <summary>Fog ledger as the balance check and payments use it, its failures named.</summary>
internal sealed class LabelledLedger(FogLedgerClient inner, string address) : IFogKeyImageService, IFogBlockService, IFogMerkleProofService
{
    private const string Service = "fog ledger";

    public Task<(IReadOnlyList<KeyImageStatus> Statuses, ulong NumBlocks)> CheckAsync(IReadOnlyList<KeyImage> keyImages, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, () => ((IFogKeyImageService)inner).CheckAsync(keyImages, cancellationToken));

    public Task<IReadOnlyList<ScannedBlock>> GetBlocksAsync(IReadOnlyList<BlockSpan> ranges, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, () => ((IFogBlockService)inner).GetBlocksAsync(ranges, cancellationToken));

    public Task<(IReadOnlyList<(ulong Index, TxOut TxOut, MembershipProof Proof)> Outputs, ulong GlobalTxoCount, ulong NumBlocks)> GetOutputsAsync(IReadOnlyList<ulong> indices, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, () => ((IFogMerkleProofService)inner).GetOutputsAsync(indices, cancellationToken));
}

/// <summary>The node as payments use it, its failures named.</summary>
internal sealed class LabelledSubmitter(ITransactionSubmitter inner, string address) : ITransactionSubmitter
{
    private const string Service = "the node";

    public Task<(ulong NumBlocks, BlockVersion BlockVersion, IReadOnlyDictionary<ulong, ulong> MinimumFees)> GetNetworkInfoAsync(CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, () => inner.GetNetworkInfoAsync(cancellationToken));

    public Task<TxValidationResult> ProposeAsync(Tx tx, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, () => inner.ProposeAsync(tx, cancellationToken));

    public Task<ulong?> FindBlockOfAsync(ReadOnlyMemory<byte> txOutPublicKey, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, () => inner.FindBlockOfAsync(txOutPublicKey, cancellationToken));
}
