using System.Text;
using Fog.Api.Attest;
using Fog.Attestation.Channels;
using global::Grpc.Core;
using Google.Protobuf;

namespace Fog.Attestation.Tests.Grpc;

/// <summary>
/// The untrusted host glue for the test echo enclave: passes bytes to the <see cref="AttestedResponder"/>
/// and maps its typed errors to <see cref="RpcException"/>s with a status, a readable message and the
/// error code in the <c>fog-attest-error</c> trailer.
/// </summary>
internal sealed class AttestedEchoService(AttestedResponder responder) : AttestedEcho.AttestedEchoBase
{
    public const string ErrorTrailer = "fog-attest-error";

    private static readonly byte[] Prefix = Encoding.ASCII.GetBytes("echo:");

    public override Task<AuthMessage> Auth(AuthMessage request, ServerCallContext context) =>
        responder.TryAccept(request.Data.Span, out var reply, out _, out var error)
            ? Task.FromResult(new AuthMessage { Data = UnsafeByteOperations.UnsafeWrap(reply) })
            : throw ToRpc(error);

    public override Task<AuthMessage> PeerAuth(AuthMessage request, ServerCallContext context) =>
        responder.TryAcceptPeer(request.Data.Span, out var reply, out _, out _, out var error)
            ? Task.FromResult(new AuthMessage { Data = UnsafeByteOperations.UnsafeWrap(reply) })
            : throw ToRpc(error);

    public override Task<Message> Echo(Message request, ServerCallContext context)
    {
        if (!responder.TryDecrypt(request, out var plaintext, out var error)
            || !responder.TryEncrypt(request.ChannelId.Span, [.. Prefix, .. plaintext], request.Aad.Span, out var reply, out error))
        {
            throw ToRpc(error);
        }

        return Task.FromResult(reply);
    }

    public override Task<NonceMessage> EchoWithNonce(NonceMessage request, ServerCallContext context)
    {
        if (!responder.TryDecrypt(request, out var plaintext, out var error)
            || !responder.TryEncryptWithNonce(request.ChannelId.Span, [.. Prefix, .. plaintext], request.Aad.Span, out var reply, out error))
        {
            throw ToRpc(error);
        }

        return Task.FromResult(reply);
    }

    /// <summary>Malformed input is the caller's to fix; everything else means "authenticate again".</summary>
    public static RpcException ToRpc(AttestError error)
    {
        var status = error.Code switch
        {
            AttestErrorCode.MalformedHandshakeMessage or AttestErrorCode.MalformedMessage => StatusCode.InvalidArgument,
            _ => StatusCode.PermissionDenied,
        };
        return new RpcException(new Status(status, error.Message), new Metadata { { ErrorTrailer, error.Code.ToString() } });
    }
}
