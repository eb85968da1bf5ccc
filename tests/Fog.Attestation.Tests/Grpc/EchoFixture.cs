using System.Text;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using global::Grpc.Core;

namespace Fog.Attestation.Tests.Grpc;

/// <summary>One trusted simulation root, one genuine echo enclave, served over gRPC on loopback.</summary>
public sealed class EchoFixture : IAsyncLifetime
{
    internal SimulationRoot Root { get; } = SimulationRoot.Generate();

    internal TestEnclave Enclave { get; private set; } = null!;

    internal EchoServer Server { get; private set; } = null!;

    internal SimulatedEvidenceVerifier Verifier { get; private set; } = null!;

    /// <summary>A channel opened before any attack, used to prove existing sessions survive.</summary>
    internal AttestedChannel LongLived { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Enclave = new TestEnclave(Root);
        Server = await EchoServer.StartAsync(Enclave.Responder);
        Verifier = TestEnclaves.Verifier(Root);
        LongLived = await GrpcAttest.ConnectAsync(Server.Client, Verifier);
    }

    public async Task DisposeAsync()
    {
        LongLived.Dispose();
        await Server.DisposeAsync();
        Enclave.Dispose();
        Root.Dispose();
    }
}

/// <summary>Client-side helpers over the generated gRPC client.</summary>
internal static class GrpcAttest
{
    public static async Task<(AttestedChannel? Channel, AttestError? Error)> TryConnectAsync(AttestedEcho.AttestedEchoClient client, IEvidenceVerifier verifier)
    {
        using var initiator = AttestedInitiator.StartClient(TestEnclaves.ResponderId);
        var reply = await client.AuthAsync(initiator.CreateAuthRequest());
        return initiator.TryComplete(reply.Data.Span, verifier, out var channel, out var error) ? (channel, null) : (null, error);
    }

    public static async Task<AttestedChannel> ConnectAsync(AttestedEcho.AttestedEchoClient client, IEvidenceVerifier verifier)
    {
        var (channel, error) = await TryConnectAsync(client, verifier);
        Assert.True(channel is not null, error?.ToString());
        return channel;
    }

    public static async Task<string> EchoAsync(AttestedEcho.AttestedEchoClient client, AttestedChannel channel, string text, string aad = "")
    {
        var reply = await client.EchoAsync(channel.Encrypt(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(aad)));
        Assert.Equal(aad, reply.Aad.ToStringUtf8());
        Assert.True(channel.TryDecrypt(reply, out var plaintext, out var error), error?.ToString());
        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>Asserts that a call fails with a status and the typed error code in the trailer.</summary>
    public static async Task<RpcException> AssertRejectedAsync<T>(Func<Task<T>> call, StatusCode status, AttestErrorCode code)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(status, exception.StatusCode);
        Assert.Equal(code.ToString(), exception.Trailers.GetValue(AttestedEchoService.ErrorTrailer));
        Assert.False(string.IsNullOrWhiteSpace(exception.Status.Detail));
        return exception;
    }
}
