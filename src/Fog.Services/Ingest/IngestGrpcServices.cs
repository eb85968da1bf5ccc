using Fog.Api.AccountIngest;
using Fog.Api.Attest;
using Fog.Api.IngestCommon;
using Fog.Api.IngestPeer;
using Fog.Enclaves.Ingest;
using Fog.Services.Hosting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Fog.Services.Ingest;

/// <summary>
/// <c>account_ingest.AccountIngestAPI</c> on the client port: the ingest server's admin API (status, activation,
/// keys, peers, retirement, lost keys and key records). It is not attested: protect the port.
/// </summary>
internal sealed class IngestAdminService(IngestController controller) : AccountIngestAPI.AccountIngestAPIBase
{
    public override Task<IngestSummary> GetStatus(Empty request, ServerCallContext context) => Task.FromResult(controller.Summary);

    public override Task<IngestSummary> NewKeys(Empty request, ServerCallContext context) => controller.NewKeysAsync(context.CancellationToken);

    public override Task<IngestSummary> SetPubkeyExpiryWindow(SetPubkeyExpiryWindowRequest request, ServerCallContext context) =>
        controller.SetPubkeyExpiryWindowAsync(request.PubkeyExpiryWindow, context.CancellationToken);

    public override Task<IngestSummary> SetPeers(SetPeersRequest request, ServerCallContext context) =>
        controller.SetPeersAsync(request.IngestPeerUris, context.CancellationToken);

    public override Task<IngestSummary> Activate(Empty request, ServerCallContext context) => controller.ActivateAsync(context.CancellationToken);

    public override Task<IngestSummary> Retire(Empty request, ServerCallContext context) => controller.RetireAsync(true, context.CancellationToken);

    public override Task<IngestSummary> Unretire(Empty request, ServerCallContext context) => controller.RetireAsync(false, context.CancellationToken);

    public override async Task<Empty> ReportLostIngressKey(ReportLostIngressKeyRequest request, ServerCallContext context)
    {
        await controller.ReportLostIngressKeyAsync(request.Key?.Data ?? ByteString.Empty, context.CancellationToken).ConfigureAwait(false);
        return new Empty();
    }

    public override Task<GetMissedBlockRangesResponse> GetMissedBlockRanges(Empty request, ServerCallContext context) =>
        controller.GetMissedBlockRangesAsync(context.CancellationToken);

    public override Task<IngestSummary> SyncKeysFromRemote(SyncKeysFromRemoteRequest request, ServerCallContext context) =>
        controller.SyncKeysFromRemoteAsync(request.PeerUri, context.CancellationToken);

    public override Task<GetIngressKeyRecordsResponse> GetIngressKeyRecords(GetIngressKeyRecordsRequest request, ServerCallContext context) =>
        controller.GetIngressKeyRecordsAsync(request, context.CancellationToken);
}

/// <summary>
/// <c>ingest_peer.AccountIngestPeerAPI</c> on the peer port. Status and peer lists are not attested; the ingress key
/// only travels encrypted on an attested channel between the two enclaves.
/// </summary>
internal sealed class IngestPeerService(IngestController controller) : AccountIngestPeerAPI.AccountIngestPeerAPIBase
{
    public override Task<IngestSummary> GetStatus(Empty request, ServerCallContext context) => Task.FromResult(controller.Summary);

    public override Task<Message> GetIngressPrivateKey(GetPrivateKeyRequest request, ServerCallContext context) =>
        Task.FromResult(controller.GetIngressPrivateKey(request.ChannelId));

    public override Task<IngestSummary> SetIngressPrivateKey(Message request, ServerCallContext context) =>
        controller.SetIngressPrivateKeyAsync(request, context.CancellationToken);

    public override Task<IngestSummary> SetPeers(SetPeersRequest request, ServerCallContext context) =>
        controller.SetPeersAsync(request.IngestPeerUris, context.CancellationToken);
}

/// <summary><c>attest.AttestedApi</c> on the peer port: peer enclaves' IX handshakes with this enclave.</summary>
internal sealed class IngestPeerAttestedApi(IIngestEnclave enclave) : AttestedApi.AttestedApiBase
{
    public override Task<AuthMessage> Auth(AuthMessage request, ServerCallContext context) =>
        enclave.TryAcceptPeer(request.Data.Span, out var reply, out var error)
            ? Task.FromResult(new AuthMessage { Data = UnsafeByteOperations.UnsafeWrap(reply) })
            : throw AttestedRpc.ToRpcException(error);
}
