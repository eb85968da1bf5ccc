using Fog.Api.Attest;
using Fog.Attestation;
using Fog.Enclaves.Common;
using Google.Protobuf;
using Grpc.Core;

namespace Fog.Services.Hosting;

/// <summary>
/// How attested-channel failures cross the gRPC edge: malformed input is the caller's to fix
/// (<see cref="StatusCode.InvalidArgument"/>); anything else — a failed decryption, a replay, an unknown channel,
/// refused evidence — means "authenticate again" (<see cref="StatusCode.PermissionDenied"/>), as reference clients expect.
/// The error code travels in the <see cref="ErrorTrailer"/> trailer for diagnostics.
/// </summary>
public static class AttestedRpc
{
    /// <summary>The trailer carrying the <see cref="AttestErrorCode"/>.</summary>
    public const string ErrorTrailer = "fog-attest-error";

    /// <summary>The gRPC exception for an attestation error.</summary>
    public static RpcException ToRpcException(AttestError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var status = error.Code is AttestErrorCode.MalformedHandshakeMessage or AttestErrorCode.MalformedMessage
            ? StatusCode.InvalidArgument
            : StatusCode.PermissionDenied;
        return new RpcException(new Status(status, error.Message), new Metadata { { ErrorTrailer, error.Code.ToString() } });
    }

    /// <summary>Answers an attested <c>Auth</c> call: the enclave's handshake reply, or the gRPC error for its refusal.</summary>
    public static AuthMessage Accept(IAttestedEnclave enclave, AuthMessage request)
    {
        ArgumentNullException.ThrowIfNull(enclave);
        ArgumentNullException.ThrowIfNull(request);
        return enclave.TryAccept(request.Data.Span, out var reply, out var error)
            ? new AuthMessage { Data = UnsafeByteOperations.UnsafeWrap(reply) }
            : throw ToRpcException(error);
    }

    /// <summary>The gRPC exception for a request whose decrypted content is not what the call expects.</summary>
    public static RpcException Malformed(string what) => new(new Status(StatusCode.InvalidArgument, what));
}
