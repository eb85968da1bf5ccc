using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Testing;
using FsCheck.Xunit;

namespace Fog.Crypto.Tests;

public class KexRngTests
{
    [Fact]
    public void Vector_cases_produce_the_expected_outputs_or_reject_unknown_versions()
    {
        var cases = Vectors.Json("mobilecoin/kex_rng.json").GetProperty("cases").EnumerateArray().ToList();
        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            using var key = RistrettoPrivate.Import(c.Bytes("private_key"));
            var pubkey = new KexRngPubkey(c.Bytes("pubkey"), (uint)c.U64("version"));
            var error = KexRng.TryCreate(pubkey, key, out var rng);
            if (c.TryGetProperty("error", out _))
            {
                Assert.Equal(KexRngError.UnknownVersion, error);
                Assert.Null(rng);
                continue;
            }

            Assert.Equal(KexRngError.None, error);
            using (rng)
            {
                foreach (var expected in c.GetProperty("outputs").EnumerateArray())
                {
                    Assert.Equal(expected.GetString(), Convert.ToHexStringLower(rng!.Next()));
                }
            }
        }
    }

    [Fact]
    public void Invalid_public_key_is_rejected()
    {
        using var key = RistrettoPrivate.Generate();
        Assert.Equal(KexRngError.InvalidPublicKey, KexRng.TryCreate(new KexRngPubkey(Enumerable.Repeat((byte)0xff, 32).ToArray(), 0), key, out _));
    }

    [Property(MaxTest = 50)]
    public bool Stored_form_round_trips_at_any_index(byte advances)
    {
        var secret = new byte[32];
        Random.Shared.NextBytes(secret);
        using var rng = KexRng.FromSecret(secret);
        for (var i = 0; i < advances; i++)
        {
            rng.Advance();
        }

        var stored = rng.ToStoredBytes();
        if (KexRng.TryFromStoredBytes(stored, out var restored) != KexRngError.None)
        {
            return false;
        }

        using (restored)
        {
            return restored!.Index == rng.Index && restored.Next().AsSpan().SequenceEqual(rng.Next());
        }
    }

    [Fact]
    public void Stored_form_with_wrong_lengths_or_version_or_stale_buffer_is_rejected()
    {
        using var rng = KexRng.FromSecret(new byte[32]);
        rng.Advance();
        var stored = rng.ToStoredBytes();

        Assert.Equal(KexRngError.Malformed, KexRng.TryFromStoredBytes(stored.AsSpan(0, 10), out _));
        Assert.Equal(KexRngError.Malformed, KexRng.TryFromStoredBytes([0x0a, 0x01, 0x00], out _));

        var withVersion = stored.Concat(new byte[] { 0x20, 0x07 }).ToArray();
        Assert.Equal(KexRngError.UnknownVersion, KexRng.TryFromStoredBytes(withVersion, out _));

        var staleBuffer = (byte[])stored.Clone();
        staleBuffer[2 + 32 + 2] ^= 1; // first byte of the buffer field
        Assert.Equal(KexRngError.Malformed, KexRng.TryFromStoredBytes(staleBuffer, out _));
    }
}
