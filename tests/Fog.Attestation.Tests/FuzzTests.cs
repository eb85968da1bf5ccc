using Fog.Api.Attest;
using Fog.Attestation.Evidence;
using Fog.Attestation.Sealing;
using Google.Protobuf;

namespace Fog.Attestation.Tests;

/// <summary>
/// Fuzz entry points for every parser an attacker can reach: random and mutated input, under fixed
/// seeds, must be rejected with a typed error and never throw or disturb a genuine session.
/// </summary>
public sealed class FuzzTests : IDisposable
{
    private readonly SimulationRoot _root = SimulationRoot.Generate();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_and_mutated_inputs_are_rejected_without_throwing(int seed)
    {
        var random = new Random(seed);
        using var enclave = new TestEnclave(_root, peerVerifier: TestEnclaves.Verifier(_root));
        var verifier = TestEnclaves.Verifier(_root);
        using var channel = enclave.Connect(verifier);
        var evidence = enclave.Responder.Evidence.ToArray();
        using var secret = MachineSealingSecret.CreateEphemeral();
        using var sealer = new Sealer(secret, TestEnclaves.Measurement);
        var sealedBlob = sealer.Seal("x"u8);

        for (var i = 0; i < 300; i++)
        {
            // Handshakes: random bytes of any length, for NX and IX.
            var bytes = RandomBytes(random, random.Next(0, 200));
            if (enclave.Responder.TryAccept(bytes, out _, out var id, out _))
            {
                // Any 32 bytes that are not a low-order point are a valid NX message 1.
                Assert.Equal(32, bytes.Length);
                enclave.Responder.CloseSession(id);
            }

            Assert.False(enclave.Responder.TryAcceptPeer(bytes, out _, out _, out _, out _));

            // Evidence: mutated genuine evidence never verifies for a different key, and never throws.
            var mutated = Mutate(random, evidence);
            verifier.TryVerify(mutated, enclave.StaticKey.PublicKey, out _, out _);
            Assert.False(verifier.TryVerify(RandomBytes(random, random.Next(0, 300)), enclave.StaticKey.PublicKey, out _, out _));

            // Transport: random channel ids, mutated ciphertexts, random explicit nonces.
            var genuine = channel.Encrypt("payload"u8);
            var forged = new Message
            {
                Aad = ByteString.CopyFrom(RandomBytes(random, random.Next(0, 4))),
                ChannelId = random.Next(3) == 0 ? ByteString.CopyFrom(RandomBytes(random, random.Next(0, 80))) : genuine.ChannelId,
                Data = ByteString.CopyFrom(Mutate(random, genuine.Data.ToByteArray())),
            };
            Assert.False(enclave.Responder.TryDecrypt(forged, out _, out var error));
            Assert.NotNull(error);
            var forgedNonce = new NonceMessage { ChannelId = genuine.ChannelId, Data = forged.Data, Nonce = (ulong)random.NextInt64() };
            Assert.False(enclave.Responder.TryDecrypt(forgedNonce, out _, out _));

            // The genuine message still decrypts: nothing above consumed a nonce.
            Assert.True(enclave.Responder.TryDecrypt(genuine, out _, out error), error?.ToString());

            // Sealed blobs.
            Assert.False(sealer.TryUnseal(Mutate(random, sealedBlob), out _, out _));
            Assert.False(sealer.TryUnseal(RandomBytes(random, random.Next(0, 100)), out _, out _));
        }
    }

    public void Dispose() => _root.Dispose();

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Flips, truncates or extends; always changes the input.</summary>
    private static byte[] Mutate(Random random, byte[] input)
    {
        switch (random.Next(3))
        {
            case 0 when input.Length > 0:
                var flipped = (byte[])input.Clone();
                flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                return flipped;
            case 1 when input.Length > 0:
                return input[..random.Next(input.Length)];
            default:
                return [.. input, .. RandomBytes(random, random.Next(1, 8))];
        }
    }
}
