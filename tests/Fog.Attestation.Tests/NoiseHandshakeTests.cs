using System.Text;
using Fog.Attestation.Noise;

namespace Fog.Attestation.Tests;

public sealed class NoiseHandshakeTests
{
    private static readonly byte[] Prologue = Encoding.UTF8.GetBytes("view.test:443");

    [Theory]
    [InlineData(NoisePattern.NX)]
    [InlineData(NoisePattern.IX)]
    public void Both_sides_derive_the_same_channel_and_keys(NoisePattern pattern)
    {
        using var initiatorStatic = NoiseKeyPair.Generate();
        using var responderStatic = NoiseKeyPair.Generate();
        using var initiator = NoiseHandshake.Create(pattern, true, Prologue, initiatorStatic);
        using var responder = NoiseHandshake.Create(pattern, false, Prologue, responderStatic);

        Assert.True(responder.TryReadMessage(initiator.WriteMessage("hello"u8), out var first, out _));
        Assert.Equal("hello"u8.ToArray(), first);
        Assert.True(initiator.TryReadMessage(responder.WriteMessage("evidence"u8), out var second, out _));
        Assert.Equal("evidence"u8.ToArray(), second);

        Assert.Equal(responderStatic.PublicKey.ToArray(), initiator.RemoteStaticPublicKey.ToArray());
        if (pattern == NoisePattern.IX)
        {
            Assert.Equal(initiatorStatic.PublicKey.ToArray(), responder.RemoteStaticPublicKey.ToArray());
        }

        using var a = initiator.Split();
        using var b = responder.Split();
        Assert.Equal(a.HandshakeHash, b.HandshakeHash);
        Assert.Equal(64, a.HandshakeHash.Length);
        var ciphertext = a.InitiatorToResponder.EncryptWithAd("ad"u8, "ping"u8);
        Assert.True(b.InitiatorToResponder.TryDecryptWithAd("ad"u8, ciphertext, out var plaintext));
        Assert.Equal("ping"u8.ToArray(), plaintext);
    }

    [Fact]
    public void Different_responder_ids_make_message_two_fail_to_authenticate()
    {
        using var responderStatic = NoiseKeyPair.Generate();
        using var initiator = NoiseHandshake.Create(NoisePattern.NX, true, Encoding.UTF8.GetBytes("a.test:443"));
        using var responder = NoiseHandshake.Create(NoisePattern.NX, false, Encoding.UTF8.GetBytes("b.test:443"), responderStatic);

        Assert.True(responder.TryReadMessage(initiator.WriteMessage([]), out _, out _));
        Assert.False(initiator.TryReadMessage(responder.WriteMessage([]), out _, out var error));
        Assert.Equal(AttestErrorCode.HandshakeDecryptionFailed, error.Code);
    }

    [Fact]
    public void A_flipped_bit_anywhere_in_message_two_is_rejected()
    {
        using var responderStatic = NoiseKeyPair.Generate();
        for (var position = 0; position < 32 + 48 + 16 + 4; position += 7)
        {
            using var initiator = NoiseHandshake.Create(NoisePattern.NX, true, Prologue);
            using var responder = NoiseHandshake.Create(NoisePattern.NX, false, Prologue, responderStatic);
            Assert.True(responder.TryReadMessage(initiator.WriteMessage([]), out _, out _));
            var message = responder.WriteMessage("data"u8);
            message[position] ^= 0x01;
            Assert.False(initiator.TryReadMessage(message, out _, out var error), $"bit flip at {position} was accepted");
            Assert.Contains(error.Code, new[] { AttestErrorCode.HandshakeDecryptionFailed, AttestErrorCode.InvalidPublicKey });
        }
    }

    [Fact]
    public void A_truncated_handshake_message_is_rejected_as_malformed()
    {
        using var responderStatic = NoiseKeyPair.Generate();
        using var initiator = NoiseHandshake.Create(NoisePattern.NX, true, Prologue);
        using var responder = NoiseHandshake.Create(NoisePattern.NX, false, Prologue, responderStatic);
        Assert.True(responder.TryReadMessage(initiator.WriteMessage([]), out _, out _));
        var message = responder.WriteMessage([]);
        Assert.False(initiator.TryReadMessage(message.AsSpan(0, 60), out _, out var error));
        Assert.Equal(AttestErrorCode.MalformedHandshakeMessage, error.Code);
    }

    [Fact]
    public void A_low_order_ephemeral_key_is_refused_with_a_typed_error()
    {
        using var responderStatic = NoiseKeyPair.Generate();
        using var responder = NoiseHandshake.Create(NoisePattern.NX, false, Prologue, responderStatic);
        Assert.True(responder.TryReadMessage(new byte[32], out _, out _));
        Assert.False(responder.TryWriteMessage([], out _, out var error));
        Assert.Equal(AttestErrorCode.InvalidPublicKey, error.Code);
    }

    [Fact]
    public void A_failed_handshake_cannot_be_continued_or_split()
    {
        using var responderStatic = NoiseKeyPair.Generate();
        using var responder = NoiseHandshake.Create(NoisePattern.NX, false, Prologue, responderStatic);
        Assert.False(responder.TryReadMessage(new byte[5], out _, out _));
        Assert.False(responder.TryReadMessage(new byte[32], out _, out var error));
        Assert.Equal(AttestErrorCode.MalformedHandshakeMessage, error.Code);
        Assert.Throws<InvalidOperationException>(() => responder.WriteMessage([]));
        Assert.Throws<InvalidOperationException>(() => responder.Split());
    }

    [Fact]
    public void Writing_out_of_turn_is_caller_misuse()
    {
        using var responderStatic = NoiseKeyPair.Generate();
        using var responder = NoiseHandshake.Create(NoisePattern.NX, false, Prologue, responderStatic);
        Assert.Throws<InvalidOperationException>(() => responder.WriteMessage([]));
        Assert.Throws<ArgumentException>(() => NoiseHandshake.Create(NoisePattern.NX, false, Prologue));
    }

    [Fact]
    public void The_last_nonce_is_reserved_and_decryption_failures_do_not_advance_the_nonce()
    {
        var (sender, receiver) = Transport();
        var first = sender.EncryptWithAd([], "one"u8);
        Assert.False(receiver.TryDecryptWithAd([], first.AsSpan(0, first.Length - 1), out _));
        Assert.Equal(0UL, receiver.Nonce);
        Assert.True(receiver.TryDecryptWithAd([], first, out _));
        Assert.Equal(1UL, receiver.Nonce);

        sender.SetNonce(ulong.MaxValue - 1);
        sender.EncryptWithAd([], "last usable"u8);
        Assert.Throws<InvalidOperationException>(() => sender.EncryptWithAd([], "one too many"u8));
        Assert.False(receiver.TryDecryptAt(ulong.MaxValue, [], new byte[32], out _));
    }

    private static (NoiseCipherState Sender, NoiseCipherState Receiver) Transport()
    {
        using var responderStatic = NoiseKeyPair.Generate();
        using var initiator = NoiseHandshake.Create(NoisePattern.NX, true, Prologue);
        using var responder = NoiseHandshake.Create(NoisePattern.NX, false, Prologue, responderStatic);
        Assert.True(responder.TryReadMessage(initiator.WriteMessage([]), out _, out _));
        Assert.True(initiator.TryReadMessage(responder.WriteMessage([]), out _, out _));
        var a = initiator.Split();
        var b = responder.Split();
        return (a.InitiatorToResponder, b.InitiatorToResponder);
    }
}
