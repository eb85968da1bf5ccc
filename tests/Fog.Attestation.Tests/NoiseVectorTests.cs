using System.Text.Json;
using Fog.Attestation.Noise;
using Fog.Testing;

namespace Fog.Attestation.Tests;

/// <summary>
/// The cacophony vectors (shared/vectors/noise_cacophony.json, as distributed with the snow Noise
/// library): fixed keys and prologue; the handshake hash and every message must match byte for byte.
/// </summary>
public sealed class NoiseVectorTests
{
    public static TheoryData<string> Protocols() => new(NoiseProtocolNames.NN, NoiseProtocolNames.NX, NoiseProtocolNames.IX);

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Cacophony_vector_reproduces_handshake_hash_and_every_message(string protocolName)
    {
        var vector = Vector(protocolName);
        var pattern = Enum.Parse<NoisePattern>(protocolName.Split('_')[1]);

        using var initiatorStatic = OptionalKey(vector, "init_static");
        using var responderStatic = OptionalKey(vector, "resp_static");
        using var initiator = NoiseHandshake.CreateWithEphemeral(
            pattern, true, vector.Bytes("init_prologue"), initiatorStatic, NoiseKeyPair.Import(vector.Bytes("init_ephemeral")));
        using var responder = NoiseHandshake.CreateWithEphemeral(
            pattern, false, vector.Bytes("resp_prologue"), responderStatic, NoiseKeyPair.Import(vector.Bytes("resp_ephemeral")));

        var messages = vector.GetProperty("messages").EnumerateArray().ToList();
        Assert.True(messages.Count > 2);

        // Handshake messages first (two for every pattern here), initiator first.
        for (var i = 0; i < 2; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (initiator, responder) : (responder, initiator);
            var payload = messages[i].Bytes("payload");
            var written = writer.WriteMessage(payload);
            Assert.Equal(Convert.ToHexStringLower(messages[i].Bytes("ciphertext")), Convert.ToHexStringLower(written));
            Assert.True(reader.TryReadMessage(written, out var read, out var error), error?.ToString());
            Assert.Equal(payload, read);
        }

        Assert.True(initiator.IsComplete);
        Assert.True(responder.IsComplete);
        using var initiatorTransport = initiator.Split();
        using var responderTransport = responder.Split();
        var expectedHash = Convert.ToHexStringLower(vector.Bytes("handshake_hash"));
        Assert.Equal(expectedHash, Convert.ToHexStringLower(initiatorTransport.HandshakeHash));
        Assert.Equal(expectedHash, Convert.ToHexStringLower(responderTransport.HandshakeHash));
        if (pattern != NoisePattern.NN)
        {
            Assert.Equal(responderStatic!.PublicKey.ToArray(), initiator.RemoteStaticPublicKey.ToArray());
        }

        // Transport messages alternate, initiator first.
        for (var i = 2; i < messages.Count; i++)
        {
            var initiatorSends = i % 2 == 0;
            var sender = initiatorSends ? initiatorTransport.InitiatorToResponder : responderTransport.ResponderToInitiator;
            var receiver = initiatorSends ? responderTransport.InitiatorToResponder : initiatorTransport.ResponderToInitiator;
            var payload = messages[i].Bytes("payload");
            var ciphertext = sender.EncryptWithAd([], payload);
            Assert.Equal(Convert.ToHexStringLower(messages[i].Bytes("ciphertext")), Convert.ToHexStringLower(ciphertext));
            Assert.True(receiver.TryDecryptWithAd([], ciphertext, out var plaintext));
            Assert.Equal(payload, plaintext);
        }
    }

    private static JsonElement Vector(string protocolName) =>
        Vectors.Json("noise_cacophony.json").GetProperty("vectors").EnumerateArray()
            .Single(v => v.Str("protocol_name") == protocolName);

    private static NoiseKeyPair? OptionalKey(JsonElement vector, string name) =>
        vector.TryGetProperty(name, out _) ? NoiseKeyPair.Import(vector.Bytes(name)) : null;
}
