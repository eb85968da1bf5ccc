using System.Text.Json;
using Fog.Crypto.Ristretto;
using Fog.Crypto.Signatures;
using Fog.Testing;

namespace Fog.Crypto.Tests;

/// <summary>MobileCoin's mc-crypto-sig fixtures (vectors/mobilecoin/schnorrkel_sig.json).</summary>
public class SchnorrkelTests
{
    private static readonly JsonElement[] Cases =
        [.. Vectors.Json("mobilecoin/schnorrkel_sig.json").GetProperty("cases").EnumerateArray()];

    public static TheoryData<int> CaseNumbers()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Cases.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNumbers))]
    public void Fixture_signs_deterministically_and_verifies_as_its_kind_says(int caseNumber)
    {
        var c = Cases[caseNumber];
        var kind = c.Str("kind");
        var pubkey = c.Bytes("pubkey");
        var sig = c.Bytes("sig");
        using var key = RistrettoPrivate.Import(c.Bytes("seckey"));
        Assert.Equal(pubkey, key.PublicKey.ToArray());

        switch (kind)
        {
            case "expected_success":
                Assert.Equal(sig, key.SignSchnorrkel("test"u8, "foobar"u8));
                Assert.True(Schnorrkel.Verify(pubkey, "test"u8, "foobar"u8, sig));
                break;
            case "expected_failure_bad_context":
                Assert.Equal(sig, key.SignSchnorrkel("test"u8, "foobar"u8));
                Assert.False(Schnorrkel.Verify(pubkey, "prod"u8, "foobar"u8, sig));
                break;
            case "expected_failure_bad_message":
                Assert.Equal(sig, key.SignSchnorrkel("test"u8, "foobar"u8));
                Assert.False(Schnorrkel.Verify(pubkey, "test"u8, "foobarbaz"u8, sig));
                break;
            case "expected_failure_bad_keys":
                using (var key2 = RistrettoPrivate.Import(c.Bytes("seckey2")))
                {
                    Assert.Equal(sig, key2.SignSchnorrkel("test"u8, "foobar"u8));
                    Assert.NotEqual(sig, key.SignSchnorrkel("test"u8, "foobar"u8));
                }

                Assert.False(Schnorrkel.Verify(pubkey, "test"u8, "foobar"u8, sig));
                break;
            default:
                Assert.Fail($"Unknown case kind '{kind}'.");
                break;
        }
    }

    [Fact]
    public void Hc128_keystream_matches_the_estream_test_vector()
    {
        var output = new byte[32];
        Schnorrkel.Hc128Keystream(new byte[32], output);
        Assert.StartsWith("82001573a003fd3b", Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Signature_without_marker_bit_or_with_noncanonical_s_is_rejected()
    {
        using var key = RistrettoPrivate.Generate();
        var sig = key.SignSchnorrkel("ctx"u8, "msg"u8);
        Assert.True(key.PublicKey.VerifySchnorrkel("ctx"u8, "msg"u8, sig));

        var noMarker = (byte[])sig.Clone();
        noMarker[63] &= 0x7f;
        Assert.False(key.PublicKey.VerifySchnorrkel("ctx"u8, "msg"u8, noMarker));

        var bigS = (byte[])sig.Clone();
        bigS.AsSpan(32).Fill(0xff);
        Assert.False(key.PublicKey.VerifySchnorrkel("ctx"u8, "msg"u8, bigS));

        Assert.False(key.PublicKey.VerifySchnorrkel("ctx"u8, "msg"u8, sig.AsSpan(0, 63)));
    }

    [Fact]
    public void Any_flipped_bit_breaks_the_signature()
    {
        using var key = RistrettoPrivate.Generate();
        var sig = key.SignSchnorrkel("ctx"u8, "message"u8);
        for (var bit = 0; bit < 8 * 63; bit += 7)
        {
            var tampered = (byte[])sig.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(key.PublicKey.VerifySchnorrkel("ctx"u8, "message"u8, tampered));
        }
    }
}
