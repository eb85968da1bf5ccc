using System.Security.Cryptography;
using System.Text;
using Fog.Api.Attest;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using global::Grpc.Core;
using Google.Protobuf;

namespace Fog.Attestation.Tests.Grpc;

/// <summary>
/// The full attested path over real gRPC on loopback (Kestrel, HTTP/2 without TLS): handshake, many
/// encrypted round trips, and every rejection the issue lists. After each rejection the server must
/// still serve both a channel opened before the attacks and a brand-new one.
/// </summary>
public sealed class AttestedEchoGrpcTests(EchoFixture fixture) : IClassFixture<EchoFixture>
{
    private AttestedEcho.AttestedEchoClient Client => fixture.Server.Client;

    [Fact]
    public async Task Handshake_then_many_encrypted_round_trips_echo_every_message()
    {
        using var channel = await GrpcAttest.ConnectAsync(Client, fixture.Verifier);
        Assert.NotNull(channel.RemoteEvidence);
        Assert.True(channel.RemoteEvidence.IsSimulation);
        Assert.Equal(TestEnclaves.Measurement, channel.RemoteEvidence.Identity.Measurement);
        Assert.Equal(EnclaveProductId.View, channel.RemoteEvidence.Identity.ProductId);

        var random = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            var text = new string((char)('a' + (i % 26)), random.Next(0, 3000));
            Assert.Equal("echo:" + text, await GrpcAttest.EchoAsync(Client, channel, text, aad: $"request {i}"));
        }

        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Client_rejects_an_enclave_with_a_measurement_the_policy_does_not_accept()
    {
        var (channel, error) = await GrpcAttest.TryConnectAsync(Client, TestEnclaves.Verifier(fixture.Root, measurement: TestEnclaves.OtherMeasurement));
        Assert.Null(channel);
        Assert.Equal(AttestErrorCode.MeasurementNotAccepted, error!.Code);
        Assert.Contains(TestEnclaves.Measurement.ToHex(), error.Message);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Client_rejects_an_enclave_with_another_product_id()
    {
        var (_, error) = await GrpcAttest.TryConnectAsync(Client, TestEnclaves.Verifier(fixture.Root, product: EnclaveProductId.Ledger));
        Assert.Equal(AttestErrorCode.ProductIdMismatch, error!.Code);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Client_rejects_an_enclave_below_the_minimum_security_version()
    {
        var (_, error) = await GrpcAttest.TryConnectAsync(Client, TestEnclaves.Verifier(fixture.Root, minimumSecurityVersion: 6));
        Assert.Equal(AttestErrorCode.SecurityVersionTooLow, error!.Code);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Client_rejects_a_debug_enclave_unless_the_policy_allows_debug()
    {
        using var debugEnclave = new TestEnclave(fixture.Root, TestEnclaves.Identity(debug: true));
        await using var debugServer = await EchoServer.StartAsync(debugEnclave.Responder);

        var (_, error) = await GrpcAttest.TryConnectAsync(debugServer.Client, fixture.Verifier);
        Assert.Equal(AttestErrorCode.DebugNotAllowed, error!.Code);

        using var allowed = await GrpcAttest.ConnectAsync(debugServer.Client, TestEnclaves.Verifier(fixture.Root, allowDebug: true));
        Assert.True(allowed.RemoteEvidence!.Identity.Debug);
        Assert.Equal("echo:hi", await GrpcAttest.EchoAsync(debugServer.Client, allowed, "hi"));
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Client_rejects_evidence_endorsed_by_an_untrusted_simulation_root()
    {
        using var otherRoot = SimulationRoot.Generate();
        var (_, error) = await GrpcAttest.TryConnectAsync(Client, TestEnclaves.Verifier(otherRoot));
        Assert.Equal(AttestErrorCode.UntrustedRoot, error!.Code);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Client_rejects_a_relayed_handshake_whose_evidence_is_for_another_static_key()
    {
        // The man in the middle runs its own Noise static key but presents the genuine enclave's evidence.
        using var relay = new TestEnclave(
            fixture.Root,
            wrapProvider: _ => new RelayedEvidenceProvider(fixture.Enclave.Provider, fixture.Enclave.StaticKey.ExportPublicKey()));
        await using var relayServer = await EchoServer.StartAsync(relay.Responder);

        var (channel, error) = await GrpcAttest.TryConnectAsync(relayServer.Client, fixture.Verifier);
        Assert.Null(channel);
        Assert.Equal(AttestErrorCode.RemoteKeyMismatch, error!.Code);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Server_rejects_a_replayed_message_and_the_channel_keeps_working()
    {
        using var channel = await GrpcAttest.ConnectAsync(Client, fixture.Verifier);
        var message = channel.Encrypt("pay 1"u8);
        var reply = await Client.EchoAsync(message);
        Assert.True(channel.TryDecrypt(reply, out _, out _));

        await GrpcAttest.AssertRejectedAsync(() => Client.EchoAsync(message).ResponseAsync, StatusCode.PermissionDenied, AttestErrorCode.DecryptionFailed);

        Assert.Equal("echo:next", await GrpcAttest.EchoAsync(Client, channel, "next"));
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Server_rejects_a_reordered_message()
    {
        using var channel = await GrpcAttest.ConnectAsync(Client, fixture.Verifier);
        var first = channel.Encrypt("first"u8);
        var second = channel.Encrypt("second"u8);

        await GrpcAttest.AssertRejectedAsync(() => Client.EchoAsync(second).ResponseAsync, StatusCode.PermissionDenied, AttestErrorCode.DecryptionFailed);

        // Delivered in order, both are accepted.
        Assert.True(channel.TryDecrypt(await Client.EchoAsync(first), out var one, out _));
        Assert.True(channel.TryDecrypt(await Client.EchoAsync(second), out var two, out _));
        Assert.Equal("echo:first", Encoding.UTF8.GetString(one));
        Assert.Equal("echo:second", Encoding.UTF8.GetString(two));
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Server_rejects_a_message_whose_aad_was_changed()
    {
        using var channel = await GrpcAttest.ConnectAsync(Client, fixture.Verifier);
        var message = channel.Encrypt("amount=1"u8, "user=alice"u8);
        message.Aad = ByteString.CopyFromUtf8("user=mallory");
        await GrpcAttest.AssertRejectedAsync(() => Client.EchoAsync(message).ResponseAsync, StatusCode.PermissionDenied, AttestErrorCode.DecryptionFailed);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Server_rejects_a_message_for_an_unknown_channel_id()
    {
        using var channel = await GrpcAttest.ConnectAsync(Client, fixture.Verifier);
        var message = channel.Encrypt("hello"u8);
        message.ChannelId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(AttestedChannel.ChannelIdSizeInBytes));
        var rejection = await GrpcAttest.AssertRejectedAsync(() => Client.EchoAsync(message).ResponseAsync, StatusCode.PermissionDenied, AttestErrorCode.UnknownChannel);
        Assert.Contains("Auth", rejection.Status.Detail);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Server_rejects_truncated_and_garbage_transport_messages()
    {
        using var channel = await GrpcAttest.ConnectAsync(Client, fixture.Verifier);
        var genuine = channel.Encrypt("a message long enough to cut"u8);

        var truncated = genuine.Clone();
        truncated.Data = ByteString.CopyFrom(genuine.Data.Span[..^5]);
        await GrpcAttest.AssertRejectedAsync(() => Client.EchoAsync(truncated).ResponseAsync, StatusCode.PermissionDenied, AttestErrorCode.DecryptionFailed);

        var shorterThanTag = genuine.Clone();
        shorterThanTag.Data = ByteString.CopyFrom(genuine.Data.Span[..10]);
        await GrpcAttest.AssertRejectedAsync(() => Client.EchoAsync(shorterThanTag).ResponseAsync, StatusCode.InvalidArgument, AttestErrorCode.MalformedMessage);

        var shortChannelId = genuine.Clone();
        shortChannelId.ChannelId = ByteString.CopyFrom(genuine.ChannelId.Span[..32]);
        await GrpcAttest.AssertRejectedAsync(() => Client.EchoAsync(shortChannelId).ResponseAsync, StatusCode.InvalidArgument, AttestErrorCode.MalformedMessage);

        var garbage = genuine.Clone();
        garbage.Data = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(genuine.Data.Length));
        await GrpcAttest.AssertRejectedAsync(() => Client.EchoAsync(garbage).ResponseAsync, StatusCode.PermissionDenied, AttestErrorCode.DecryptionFailed);

        // None of that consumed a nonce: the genuine message still goes through.
        Assert.True(channel.TryDecrypt(await Client.EchoAsync(genuine), out var plaintext, out _));
        Assert.Equal("echo:a message long enough to cut", Encoding.UTF8.GetString(plaintext));
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Server_rejects_truncated_and_garbage_handshake_messages()
    {
        await GrpcAttest.AssertRejectedAsync(
            () => Client.AuthAsync(new AuthMessage { Data = ByteString.CopyFrom(new byte[17]) }).ResponseAsync,
            StatusCode.InvalidArgument,
            AttestErrorCode.MalformedHandshakeMessage);
        await GrpcAttest.AssertRejectedAsync(
            () => Client.AuthAsync(new AuthMessage()).ResponseAsync,
            StatusCode.InvalidArgument,
            AttestErrorCode.MalformedHandshakeMessage);

        // An all-zero ephemeral key is a low-order point: the Diffie-Hellman result would be zero.
        await GrpcAttest.AssertRejectedAsync(
            () => Client.AuthAsync(new AuthMessage { Data = ByteString.CopyFrom(new byte[32]) }).ResponseAsync,
            StatusCode.PermissionDenied,
            AttestErrorCode.InvalidPublicKey);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Server_survives_bytes_that_are_not_protobuf_at_all()
    {
        var raw = new Method<byte[], byte[]>(
            MethodType.Unary,
            "fog_test.AttestedEcho",
            "Echo",
            Marshallers.Create(b => b, b => b),
            Marshallers.Create(b => b, b => b));
        var exception = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Server.Channel.CreateCallInvoker().AsyncUnaryCall(raw, null, default, [0xFF, 0xFF, 0xFF, 0x07, 0x01]).ResponseAsync);
        Assert.NotEqual(StatusCode.OK, exception.StatusCode);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Explicit_nonce_messages_round_trip_and_a_replayed_nonce_is_rejected()
    {
        using var channel = await GrpcAttest.ConnectAsync(Client, fixture.Verifier);
        var messages = Enumerable.Range(0, 5)
            .Select(i => channel.TryEncryptWithNonce(Encoding.UTF8.GetBytes($"query {i}"), [], out var m, out _) ? m : throw new InvalidOperationException())
            .ToList();

        // Explicit nonces tolerate reordering (the router sends concurrently)...
        foreach (var i in new[] { 1, 0, 3, 2, 4 })
        {
            var reply = await Client.EchoWithNonceAsync(messages[i]);
            Assert.True(channel.TryDecrypt(reply, out var plaintext, out var error), error?.ToString());
            Assert.Equal($"echo:query {i}", Encoding.UTF8.GetString(plaintext));
        }

        // ...but never accept a nonce twice.
        await GrpcAttest.AssertRejectedAsync(() => Client.EchoWithNonceAsync(messages[2]).ResponseAsync, StatusCode.PermissionDenied, AttestErrorCode.ReplayedNonce);

        // A channel that speaks NonceMessage refuses attest.Message.
        await GrpcAttest.AssertRejectedAsync(() => Client.EchoAsync(channel.Encrypt("x"u8)).ResponseAsync, StatusCode.PermissionDenied, AttestErrorCode.WrongChannelMode);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task Peer_enclaves_attest_each_other_over_IX()
    {
        // The echo enclave accepts peers built from its own code, like the reference's peer check.
        var peerPolicy = AttestationPolicy.ForPeersOf(TestEnclaves.Identity(), [fixture.Root.PublicKey.ToArray()]);
        using var peerAware = new TestEnclave(fixture.Root, peerVerifier: new SimulatedEvidenceVerifier(peerPolicy));
        await using var server = await EchoServer.StartAsync(peerAware.Responder);

        using var caller = new TestEnclave(fixture.Root);
        using (var initiator = AttestedInitiator.StartPeer(TestEnclaves.ResponderId, caller.StaticKey, caller.Responder.Evidence))
        {
            var reply = await server.Client.PeerAuthAsync(initiator.CreateAuthRequest());
            Assert.True(initiator.TryComplete(reply.Data.Span, fixture.Verifier, out var channel, out var error), error?.ToString());
            using (channel)
            {
                Assert.Equal("echo:peer", await GrpcAttest.EchoAsync(server.Client, channel, "peer"));
            }
        }

        // A peer built from other code is refused by the responder.
        using var stranger = new TestEnclave(fixture.Root, TestEnclaves.Identity(measurement: TestEnclaves.OtherMeasurement));
        using var strangerInitiator = AttestedInitiator.StartPeer(TestEnclaves.ResponderId, stranger.StaticKey, stranger.Responder.Evidence);
        await GrpcAttest.AssertRejectedAsync(
            () => server.Client.PeerAuthAsync(strangerInitiator.CreateAuthRequest()).ResponseAsync,
            StatusCode.PermissionDenied,
            AttestErrorCode.MeasurementNotAccepted);
    }

    [Fact]
    public async Task Server_evicts_the_least_recently_used_session_when_its_table_is_full()
    {
        using var small = new TestEnclave(fixture.Root, maxSessions: 3);
        await using var server = await EchoServer.StartAsync(small.Responder);
        var a = await GrpcAttest.ConnectAsync(server.Client, fixture.Verifier);
        var b = await GrpcAttest.ConnectAsync(server.Client, fixture.Verifier);
        var c = await GrpcAttest.ConnectAsync(server.Client, fixture.Verifier);
        Assert.Equal("echo:a", await GrpcAttest.EchoAsync(server.Client, a, "a"));

        var d = await GrpcAttest.ConnectAsync(server.Client, fixture.Verifier);

        Assert.Equal(3, small.Responder.SessionCount);
        await GrpcAttest.AssertRejectedAsync(() => server.Client.EchoAsync(b.Encrypt("b"u8)).ResponseAsync, StatusCode.PermissionDenied, AttestErrorCode.UnknownChannel);
        Assert.Equal("echo:a", await GrpcAttest.EchoAsync(server.Client, a, "a"));
        Assert.Equal("echo:c", await GrpcAttest.EchoAsync(server.Client, c, "c"));
        Assert.Equal("echo:d", await GrpcAttest.EchoAsync(server.Client, d, "d"));
        foreach (var channel in new[] { a, b, c, d })
        {
            channel.Dispose();
        }
    }

    private async Task AssertServerStillServesAsync()
    {
        Assert.Equal("echo:still here", await GrpcAttest.EchoAsync(Client, fixture.LongLived, "still here"));
        var fresh = fixture.Server.NewClient();
        using var channel = await GrpcAttest.ConnectAsync(fresh, fixture.Verifier);
        Assert.Equal("echo:new", await GrpcAttest.EchoAsync(fresh, channel, "new"));
    }
}
