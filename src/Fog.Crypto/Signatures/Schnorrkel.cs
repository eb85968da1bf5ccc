using System.Security.Cryptography;
using Fog.Crypto.Merlin;
using Fog.Crypto.Ristretto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Fog.Crypto.Signatures;

/// <summary>
/// Schnorrkel (sr25519-style Schnorr) signatures over ristretto255 with Merlin transcripts, signed
/// deterministically as MobileCoin does: the nonce comes from a Merlin transcript over the context, key and
/// message, and seeds the HC-128 generator schnorrkel's witness RNG draws from.
/// </summary>
public static class Schnorrkel
{
    /// <summary>Size of a signature: R (32) ‖ s (32), with the schnorrkel marker bit set in the last byte.</summary>
    public const int SignatureSize = 64;

    private const byte MarkerBit = 0x80;

    /// <summary>Signs <paramref name="message"/> under <paramref name="context"/> with the secret scalar.</summary>
    /// <param name="secretScalar">The canonical secret scalar x.</param>
    /// <param name="publicKey">The compressed public key x·G.</param>
    /// <param name="context">The signing context (e.g. "Fog authority signature").</param>
    /// <param name="message">The message bytes.</param>
    /// <param name="signature">Receives the 64-byte signature.</param>
    public static void Sign(ReadOnlySpan<byte> secretScalar, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException($"A signature is {SignatureSize} bytes.", nameof(signature));
        }

        Span<byte> nonce = stackalloc byte[32];
        Span<byte> hcOutput = stackalloc byte[32];
        Span<byte> wide = stackalloc byte[64];
        Span<byte> r = stackalloc byte[32];
        Span<byte> k = stackalloc byte[32];
        try
        {
            // MobileCoin's deterministic nonce.
            var nonceTranscript = new MerlinTranscript("SigningNonce"u8);
            nonceTranscript.AppendMessage("context"u8, context);
            nonceTranscript.AppendMessage("private"u8, secretScalar);
            nonceTranscript.AppendMessage("message"u8, message);
            nonceTranscript.ChallengeBytes("nonce"u8, nonce);

            var transcript = SigningTranscript(context, message);
            transcript.AppendMessage("proto-name"u8, "Schnorr-sig"u8);
            transcript.AppendMessage("sign:pk"u8, publicKey);

            // The witness RNG: rekeyed with the nonce, finalised with 32 bytes of HC-128 seeded by the nonce.
            Hc128Keystream(nonce, hcOutput);
            var rng = transcript.BuildRng().RekeyWithWitnessBytes("signing"u8, nonce).Finalize(hcOutput);
            rng.FillBytes(wide);
            rng.Clear();
            Ristretto255.ReduceWide(wide, r);

            Ristretto255.ScalarMultiplyBase(r, signature[..32]);
            transcript.AppendMessage("sign:R"u8, signature[..32]);
            transcript.ChallengeBytes("sign:c"u8, wide);
            Ristretto255.ReduceWide(wide, k);

            // s = k·x + r
            Ristretto255.ScalarMultiplyScalar(k, secretScalar, signature[32..]);
            Ristretto255.ScalarAdd(signature[32..], r, signature[32..]);
            signature[63] |= MarkerBit;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(nonce);
            CryptographicOperations.ZeroMemory(hcOutput);
            CryptographicOperations.ZeroMemory(wide);
            CryptographicOperations.ZeroMemory(r);
        }
    }

    /// <summary>
    /// Verifies a signature: the marker bit must be set, s canonical, and s·G − k·A = R.
    /// Returns false for any malformed input.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureSize || (signature[63] & MarkerBit) == 0 || !Ristretto255.IsValidPoint(publicKey))
        {
            return false;
        }

        Span<byte> s = stackalloc byte[32];
        signature[32..].CopyTo(s);
        s[31] &= unchecked((byte)~MarkerBit);
        if (!Ristretto255.IsCanonicalScalar(s))
        {
            return false;
        }

        var transcript = SigningTranscript(context, message);
        transcript.AppendMessage("proto-name"u8, "Schnorr-sig"u8);
        transcript.AppendMessage("sign:pk"u8, publicKey);
        transcript.AppendMessage("sign:R"u8, signature[..32]);
        Span<byte> wide = stackalloc byte[64];
        Span<byte> k = stackalloc byte[32];
        transcript.ChallengeBytes("sign:c"u8, wide);
        Ristretto255.ReduceWide(wide, k);

        Span<byte> sG = stackalloc byte[32];
        Span<byte> kA = stackalloc byte[32];
        Span<byte> expectedR = stackalloc byte[32];
        Ristretto255.ScalarMultiplyBase(s, sG);
        Ristretto255.ScalarMultiply(k, publicKey, kA);
        Ristretto255.Subtract(sG, kA, expectedR);
        return CryptographicOperations.FixedTimeEquals(expectedR, signature[..32]);
    }

    /// <summary>Verifies with a validated public key.</summary>
    public static bool Verify(RistrettoPublic publicKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return Verify(publicKey.Bytes, context, message, signature);
    }

    // schnorrkel's signing_context(context).bytes(message)
    private static MerlinTranscript SigningTranscript(ReadOnlySpan<byte> context, ReadOnlySpan<byte> message)
    {
        var transcript = new MerlinTranscript("SigningContext"u8);
        transcript.AppendMessage(""u8, context);
        transcript.AppendMessage("sign-bytes"u8, message);
        return transcript;
    }

    // rand_hc's Hc128Rng::from_seed(seed): key = seed[0..16], IV = seed[16..32]; output is the eSTREAM keystream.
    internal static void Hc128Keystream(ReadOnlySpan<byte> seed, Span<byte> output)
    {
        var engine = new HC128Engine();
        var key = seed[..16].ToArray();
        var iv = seed[16..32].ToArray();
        try
        {
            engine.Init(true, new ParametersWithIV(new KeyParameter(key), iv));
            Span<byte> zeros = stackalloc byte[32];
            zeros.Clear();
            engine.ProcessBytes(zeros, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(iv);
            engine.Reset();
        }
    }
}
