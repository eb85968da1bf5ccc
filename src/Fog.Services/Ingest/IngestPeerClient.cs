using System.Collections.Concurrent;
using Fog.Api.Attest;
using Fog.Api.IngestCommon;
using Fog.Api.IngestPeer;
using Fog.Enclaves.Ingest;
using Fog.Services.Hosting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Fog.Services.Ingest;

/// <summary>
/// Calls to other ingest servers' peer ports: status and peer lists (not attested), and the ingress key, which
/// only ever travels inside an attested IX channel between the two enclaves (ingest.md §2.8).
/// </summary>
internal sealed class IngestPeerClient(IIngestEnclave enclave, TimeSpan callTimeout) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    internal async Task<IngestSummary> GetStatusAsync(IngestPeerUri peer, CancellationToken cancellationToken) =>
        await Client(peer).GetStatusAsync(new Empty(), deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);

    internal async Task<IngestSummary> SetPeersAsync(IngestPeerUri peer, IEnumerable<string> peers, CancellationToken cancellationToken)
    {
        var request = new SetPeersRequest();
        request.IngestPeerUris.AddRange(peers);
        return await Client(peer).SetPeersAsync(request, deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Attests the peer's enclave and sends it this enclave's ingress private key; returns the key sent.</summary>
    /// <exception cref="PeerAttestationException">The peer's enclave could not be attested.</exception>
    internal async Task<(IngestSummary Summary, byte[] SentKey)> PushIngressKeyAsync(IngestPeerUri peer, CancellationToken cancellationToken)
    {
        var channelId = await AttestAsync(peer, cancellationToken).ConfigureAwait(false);
        if (!enclave.TryEncryptIngressKeyForPeer(channelId, out var message, out var sent, out var error))
        {
            throw new PeerAttestationException($"Encrypting the ingress key for {peer.ResponderId} failed: {error.Message}");
        }

        var summary = await Client(peer).SetIngressPrivateKeyAsync(message, deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return (summary, sent);
    }

    /// <summary>Attests the remote's enclave, asks it for its ingress private key, and installs it in this enclave.</summary>
    /// <returns>Whether the key differs from the one held before.</returns>
    /// <exception cref="PeerAttestationException">The remote's enclave could not be attested or its answer did not decrypt.</exception>
    internal async Task<bool> PullIngressKeyAsync(IngestPeerUri remote, CancellationToken cancellationToken)
    {
        var channelId = await AttestAsync(remote, cancellationToken).ConfigureAwait(false);
        var message = await Client(remote).GetIngressPrivateKeyAsync(
            new GetPrivateKeyRequest { ChannelId = ByteString.CopyFrom(channelId) },
            deadline: Deadline(),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!enclave.TrySetIngressKeyFromPeer(message, out var changed, out var error))
        {
            throw new PeerAttestationException($"The ingress key from {remote.ResponderId} was refused: {error.Message}");
        }

        return changed;
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }

    private async Task<byte[]> AttestAsync(IngestPeerUri peer, CancellationToken cancellationToken)
    {
        using var handshake = enclave.StartPeerHandshake(peer.ResponderId);
        AuthMessage reply;
        try
        {
            reply = await new AttestedApi.AttestedApiClient(Channel(peer)).AuthAsync(
                new AuthMessage { Data = ByteString.CopyFrom(handshake.Request) },
                deadline: Deadline(),
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.InvalidArgument)
        {
            throw new PeerAttestationException($"{peer.ResponderId} refused this enclave's attestation: {e.Status.Detail}");
        }

        if (!enclave.TryCompletePeerHandshake(handshake, reply.Data.Span, out var channelId, out var error))
        {
            throw new PeerAttestationException($"{peer.ResponderId} could not be attested: {error.Message}");
        }

        return channelId;
    }

    private AccountIngestPeerAPI.AccountIngestPeerAPIClient Client(IngestPeerUri peer) => new(Channel(peer));

    private GrpcChannel Channel(IngestPeerUri peer) =>
        _channels.GetOrAdd(peer.GrpcAddress.ToString(), address => GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 16 << 20 }));

    private DateTime Deadline() => DateTime.UtcNow + callTimeout;
}

/// <summary>A peer enclave could not be attested (or refused this one), or a key exchanged with it did not decrypt.</summary>
internal sealed class PeerAttestationException(string message) : Exception(message);

/// <summary>Shorthand for the peer API's attested handshake service on a host.</summary>
internal static class PeerRpc
{
    internal static RpcException Unavailable(IngestPeerUri peer, RpcException e) =>
        new(new Status(StatusCode.Unavailable, $"Peer {peer.ResponderId} ({peer}) is unreachable or failed: {e.StatusCode} {e.Status.Detail}"));

    internal static RpcException AttestationFailed(PeerAttestationException e) => new(new Status(StatusCode.PermissionDenied, e.Message));

    internal static RpcException Attest(Fog.Attestation.AttestError error) => AttestedRpc.ToRpcException(error);
}
