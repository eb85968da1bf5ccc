using System.Net.Sockets;
using Fog.Attestation;
using Fog.Client.Balance;
using Fog.Client.Ledger;
using Fog.Client.Payments;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Grpc.Core;

namespace Fog.Client.Connections;

/// <summary>
/// Turns transport, attestation and service errors of one service into a <see cref="FogServiceException"/> naming it,
/// and bounds each call: a service that accepts the connection but never answers is reported, not waited for forever.
/// </summary>
internal static class ServiceFailures
{
    /// <summary>How long one call may take unless the client is given another bound.</summary>
    internal static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="call"/> with a token that also fires after <paramref name="timeout"/>; a cancellation caused
    /// by that deadline (not by the caller) becomes the exception <paramref name="timedOut"/> makes.
    /// </summary>
    internal static async Task<T> WithDeadlineAsync<T>(TimeSpan timeout, CancellationToken cancellationToken, Func<CancellationToken, Task<T>> call, Func<Exception, Exception> timedOut)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await call(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded } &&
                                  deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw timedOut(e);
        }
    }

    internal static async Task<T> LabelAsync<T>(string service, string address, TimeSpan timeout, CancellationToken cancellationToken, Func<CancellationToken, Task<T>> call)
    {
        try
        {
            return await WithDeadlineAsync(timeout, cancellationToken, call, e => new FogServiceException(service, address, FogServiceFailure.Unreachable, $"{service} at {address} did not answer within {Seconds(timeout)}. Is it running and healthy, and does the network configuration point at it?", e)).ConfigureAwait(false);
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

    /// <summary>"30 s", "2.5 s".</summary>
    internal static string Seconds(TimeSpan timeout) =>
        timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";
}

/// <summary>Fog view as the balance check uses it, its failures named.</summary>
internal sealed class LabelledView(IFogViewService inner, string address, TimeSpan timeout) : IFogViewService
{
    public Task<ViewQueryResult> QueryAsync(long startFromUserEventId, ulong startFromBlockIndex, IReadOnlyList<byte[]> searchKeys, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync("fog view", address, timeout, cancellationToken, ct => inner.QueryAsync(startFromUserEventId, startFromBlockIndex, searchKeys, ct));
}

/// <summary>Fog ledger as the balance check and payments use it, its failures named.</summary>
internal sealed class LabelledLedger(FogLedgerClient inner, string address, TimeSpan timeout) : IFogKeyImageService, IFogBlockService, IFogMerkleProofService
{
    private const string Service = "fog ledger";

    public Task<(IReadOnlyList<KeyImageStatus> Statuses, ulong NumBlocks)> CheckAsync(IReadOnlyList<KeyImage> keyImages, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, timeout, cancellationToken, ct => ((IFogKeyImageService)inner).CheckAsync(keyImages, ct));

    public Task<IReadOnlyList<ScannedBlock>> GetBlocksAsync(IReadOnlyList<BlockSpan> ranges, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, timeout, cancellationToken, ct => ((IFogBlockService)inner).GetBlocksAsync(ranges, ct));

    public Task<(IReadOnlyList<(ulong Index, TxOut TxOut, MembershipProof Proof)> Outputs, ulong GlobalTxoCount, ulong NumBlocks)> GetOutputsAsync(IReadOnlyList<ulong> indices, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, timeout, cancellationToken, ct => ((IFogMerkleProofService)inner).GetOutputsAsync(indices, ct));
}

/// <summary>The node as payments use it, its failures named.</summary>
internal sealed class LabelledSubmitter(ITransactionSubmitter inner, string address, TimeSpan timeout) : ITransactionSubmitter
{
    private const string Service = "the node";

    public Task<(ulong NumBlocks, BlockVersion BlockVersion, IReadOnlyDictionary<ulong, ulong> MinimumFees)> GetNetworkInfoAsync(CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, timeout, cancellationToken, inner.GetNetworkInfoAsync);

    public Task<TxValidationResult> ProposeAsync(Tx tx, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, timeout, cancellationToken, ct => inner.ProposeAsync(tx, ct));

    public Task<ulong?> FindBlockOfAsync(ReadOnlyMemory<byte> txOutPublicKey, CancellationToken cancellationToken) =>
        ServiceFailures.LabelAsync(Service, address, timeout, cancellationToken, ct => inner.FindBlockOfAsync(txOutPublicKey, ct));
}
