using System.Text;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Google.Protobuf;

namespace Fog.Attestation.Tests;

/// <summary>Channels and the session table in process (no network).</summary>
public sealed class AttestedChannelTests : IDisposable
{
    private readonly SimulationRoot _root = SimulationRoot.Generate();

    [Fact]
    public void Replies_decrypt_in_order_in_both_directions()
    {
        using var enclave = new TestEnclave(_root);
        using var client = enclave.Connect(TestEnclaves.Verifier(_root));
        for (var i = 0; i < 50; i++)
        {
            var request = client.Encrypt(Encoding.UTF8.GetBytes($"request {i}"), "aad"u8);
            Assert.True(enclave.Responder.TryDecrypt(request, out var plaintext, out var error), error?.ToString());
            Assert.Equal($"request {i}", Encoding.UTF8.GetString(plaintext));
            Assert.True(enclave.Responder.TryEncrypt(request.ChannelId.Span, Encoding.UTF8.GetBytes($"reply {i}"), request.Aad.Span, out var reply, out error));
            Assert.True(client.TryDecrypt(reply, out var answer, out error), error?.ToString());
            Assert.Equal($"reply {i}", Encoding.UTF8.GetString(answer));
        }
    }

    [Fact]
    public void A_reply_cannot_be_reflected_back_to_the_enclave()
    {
        using var enclave = new TestEnclave(_root);
        using var client = enclave.Connect(TestEnclaves.Verifier(_root));
        var request = client.Encrypt("x"u8);
        Assert.True(enclave.Responder.TryDecrypt(request, out _, out _));
        Assert.True(enclave.Responder.TryEncrypt(request.ChannelId.Span, "y"u8, [], out var reply, out _));
        Assert.False(enclave.Responder.TryDecrypt(reply, out _, out var error));
        Assert.Equal(AttestErrorCode.DecryptionFailed, error.Code);
    }

    [Fact]
    public void Session_table_evicts_the_least_recently_used_channel()
    {
        using var enclave = new TestEnclave(_root, maxSessions: 4);
        var verifier = TestEnclaves.Verifier(_root);
        var channels = Enumerable.Range(0, 4).Select(_ => enclave.Connect(verifier)).ToList();

        // Touch channel 0, so channel 1 becomes the least recently used.
        Assert.True(enclave.Responder.TryDecrypt(channels[0].Encrypt("touch"u8), out _, out _));
        channels.Add(enclave.Connect(verifier));

        Assert.Equal(4, enclave.Responder.SessionCount);
        Assert.Equal(1, enclave.Responder.Evictions);
        Assert.False(enclave.Responder.TryDecrypt(channels[1].Encrypt("gone"u8), out _, out var error));
        Assert.Equal(AttestErrorCode.UnknownChannel, error.Code);
        foreach (var i in new[] { 2, 3, 4 })
        {
            Assert.True(enclave.Responder.TryDecrypt(channels[i].Encrypt("here"u8), out _, out error), error?.ToString());
        }

        // Ten more handshakes never grow the table past its bound.
        for (var i = 0; i < 10; i++)
        {
            channels.Add(enclave.Connect(verifier));
            Assert.True(enclave.Responder.SessionCount <= 4);
        }

        channels.ForEach(c => c.Dispose());
    }

    [Fact]
    public void A_closed_session_is_unknown()
    {
        using var enclave = new TestEnclave(_root);
        using var client = enclave.Connect(TestEnclaves.Verifier(_root));
        Assert.True(enclave.Responder.CloseSession(client.ChannelId));
        Assert.False(enclave.Responder.CloseSession(client.ChannelId));
        Assert.False(enclave.Responder.TryDecrypt(client.Encrypt("late"u8), out _, out var error));
        Assert.Equal(AttestErrorCode.UnknownChannel, error.Code);
        Assert.False(enclave.Responder.TryEncrypt(client.ChannelId, "late"u8, [], out _, out error));
        Assert.Equal(AttestErrorCode.UnknownChannel, error.Code);
    }

    [Fact]
    public void A_disposed_channel_refuses_to_encrypt_with_a_typed_error()
    {
        using var enclave = new TestEnclave(_root);
        var client = enclave.Connect(TestEnclaves.Verifier(_root));
        client.Dispose();
        Assert.True(client.IsClosed);
        Assert.False(client.TryEncrypt("x"u8, [], out _, out var error));
        Assert.Equal(AttestErrorCode.UnknownChannel, error.Code);
        Assert.Equal(AttestErrorCode.UnknownChannel, Assert.Throws<AttestException>(() => client.Encrypt("x"u8)).Error.Code);
    }

    [Fact]
    public void Explicit_nonces_are_accepted_once_within_a_sliding_window()
    {
        using var enclave = new TestEnclave(_root);
        using var client = enclave.Connect(TestEnclaves.Verifier(_root));
        var messages = Enumerable.Range(0, 70)
            .Select(i => client.TryEncryptWithNonce(BitConverter.GetBytes(i), [], out var m, out _) ? m : throw new InvalidOperationException())
            .ToList();

        Assert.True(enclave.Responder.TryDecrypt(messages[69], out _, out _));
        Assert.True(enclave.Responder.TryDecrypt(messages[10], out _, out _));
        Assert.False(enclave.Responder.TryDecrypt(messages[10], out _, out var error));
        Assert.Equal(AttestErrorCode.ReplayedNonce, error.Code);

        // 69 - 5 = 64 is outside the window.
        Assert.False(enclave.Responder.TryDecrypt(messages[5], out _, out error));
        Assert.Equal(AttestErrorCode.ReplayedNonce, error.Code);

        // A forged message with a fresh nonce does not move the window.
        var forged = messages[68].Clone();
        forged.Nonce = 1000;
        Assert.False(enclave.Responder.TryDecrypt(forged, out _, out error));
        Assert.Equal(AttestErrorCode.DecryptionFailed, error.Code);
        Assert.True(enclave.Responder.TryDecrypt(messages[68], out _, out error), error?.ToString());
    }

    [Fact]
    public void Replay_window_tracks_exactly_the_nonces_it_marked()
    {
        var window = default(ReplayWindow);
        var marked = new HashSet<ulong>();
        var random = new Random(7);
        ulong highest = 0;
        for (var i = 0; i < 5000; i++)
        {
            var nonce = (ulong)random.Next(0, 400);
            var expected = marked.Count == 0 || nonce > highest || (highest - nonce < ReplayWindow.Size && !marked.Contains(nonce));
            Assert.Equal(expected, window.IsFresh(nonce));
            if (expected && random.Next(2) == 0)
            {
                window.Mark(nonce);
                marked.Add(nonce);
                highest = Math.Max(highest, nonce);
            }
        }
    }

    [Fact]
    public void Custom_identity_reaches_the_client_and_refreshing_evidence_changes_it()
    {
        var first = Enumerable.Repeat((byte)1, 32).ToArray();
        var second = Enumerable.Repeat((byte)2, 32).ToArray();
        using var enclave = new TestEnclave(_root, customIdentity: first);
        var verifier = TestEnclaves.Verifier(_root);
        using (var channel = enclave.Connect(verifier))
        {
            Assert.Equal(first, channel.RemoteEvidence!.CustomIdentity);
        }

        enclave.Responder.RefreshEvidence(second);
        using var after = enclave.Connect(verifier);
        Assert.Equal(second, after.RemoteEvidence!.CustomIdentity);
    }

    [Fact]
    public void Responder_options_are_validated()
    {
        using var enclave = new TestEnclave(_root);
        Assert.Throws<ArgumentException>(() => new AttestedResponder(new AttestedResponderOptions(), enclave.StaticKey, enclave.Provider));
        Assert.Throws<ArgumentException>(() => new AttestedResponder(new AttestedResponderOptions { ResponderId = "x:1", MaxSessions = 0 }, enclave.StaticKey, enclave.Provider));
    }

    [Fact]
    public void A_responder_without_a_peer_verifier_refuses_IX()
    {
        using var enclave = new TestEnclave(_root);
        using var caller = new TestEnclave(_root);
        using var initiator = AttestedInitiator.StartPeer(TestEnclaves.ResponderId, caller.StaticKey, caller.Responder.Evidence);
        Assert.False(enclave.Responder.TryAcceptPeer(initiator.CreateRequest(), out _, out _, out _, out var error));
        Assert.Equal(AttestErrorCode.MalformedHandshakeMessage, error.Code);
    }

    [Fact]
    public void A_peer_whose_evidence_is_not_for_its_static_key_is_refused()
    {
        using var responderSide = new TestEnclave(_root, peerVerifier: TestEnclaves.Verifier(_root));
        using var genuine = new TestEnclave(_root);
        using var impostorKey = Noise.NoiseKeyPair.Generate();
        using var initiator = AttestedInitiator.StartPeer(TestEnclaves.ResponderId, impostorKey, genuine.Responder.Evidence);
        Assert.False(responderSide.Responder.TryAcceptPeer(initiator.CreateRequest(), out _, out _, out _, out var error));
        Assert.Equal(AttestErrorCode.RemoteKeyMismatch, error.Code);
        Assert.Equal(0, responderSide.Responder.SessionCount);
    }

    [Fact]
    public void A_message_with_another_channels_id_is_refused_by_a_channel()
    {
        using var enclave = new TestEnclave(_root);
        var verifier = TestEnclaves.Verifier(_root);
        using var a = enclave.Connect(verifier);
        using var b = enclave.Connect(verifier);
        var message = a.Encrypt("x"u8);
        Assert.True(enclave.Responder.TryEncrypt(b.ChannelId, "for b"u8, [], out var forB, out _));
        forB.ChannelId = ByteString.CopyFrom(a.ChannelId);
        Assert.False(b.TryDecrypt(forB, out _, out var error));
        Assert.Equal(AttestErrorCode.UnknownChannel, error.Code);
        Assert.True(enclave.Responder.TryDecrypt(message, out _, out _));
    }

    public void Dispose() => _root.Dispose();
}
