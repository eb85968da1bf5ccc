using Fog.Crypto.Box;
using Fog.Crypto.Ristretto;
using FsCheck.Xunit;

namespace Fog.Crypto.Tests;

public class VersionedCryptoBoxTests
{
    [Fact]
    public void Deterministic_encryption_matches_the_reference_derivation()
    {
        // crypto.md §5: recipient private 05…05, ephemeral 09…09, a 34-byte fog-hint-shaped plaintext.
        var recipientPrivate = Enumerable.Repeat((byte)5, 32).ToArray();
        using var recipient = RistrettoPrivate.Import(recipientPrivate);
        Assert.Equal("d4bcc03f967db8980977cd138ebdea474b35a85ac5688964ecdf859762970e0b", recipient.PublicKey.ToString());

        var plaintext = Convert.FromHexString("269f76626e8eaa1e466fe45f57cc100b5f9ec696ce922e34095294db2581ee702a2a");
        var cryptogram = new byte[VersionedCryptoBox.CiphertextSize(plaintext.Length)];
        VersionedCryptoBox.EncryptWithEphemeral(recipient.PublicKey.Bytes, Enumerable.Repeat((byte)9, 32).ToArray(), plaintext, cryptogram);

        Assert.Equal(
            "b024b99f4e29d1f9633698deba776a181cf5613c666c13302d1a5a0a48578d4821fc" +
            "b8f7a9200f12593e41717e64156d8a81b78972345a3258c928c6ae4029d1307f" +
            "8234fb7fa845413ffe74b15fc301cdef" +
            "0100",
            Convert.ToHexStringLower(cryptogram));
        Assert.Equal(plaintext, VersionedCryptoBox.TryDecrypt(recipient, cryptogram));
    }

    [Property(MaxTest = 50)]
    public bool Encrypt_then_decrypt_round_trips(byte[] plaintext)
    {
        using var key = RistrettoPrivate.Generate();
        var cryptogram = VersionedCryptoBox.Encrypt(key.PublicKey, plaintext);
        return cryptogram.Length == plaintext.Length + VersionedCryptoBox.FooterSize &&
               VersionedCryptoBox.TryDecrypt(key, cryptogram) is { } decrypted &&
               decrypted.AsSpan().SequenceEqual(plaintext);
    }

    [Property(MaxTest = 50)]
    public bool Any_flipped_ciphertext_or_tag_bit_fails_authentication_and_zeroes_the_output(byte[] plaintext, int position)
    {
        using var key = RistrettoPrivate.Generate();
        var cryptogram = VersionedCryptoBox.Encrypt(key.PublicKey, plaintext);

        // Ciphertext and tag bytes (the ephemeral key is covered by another test: it changes the derived key).
        var candidates = Enumerable.Range(0, plaintext.Length).Concat(Enumerable.Range(plaintext.Length + 32, 16)).ToArray();
        var index = candidates[(int)((uint)position % (uint)candidates.Length)];
        cryptogram[index] ^= 0x01;

        var output = new byte[plaintext.Length];
        var result = VersionedCryptoBox.Decrypt(key, cryptogram, output, out var authenticated);
        return result == CryptoBoxResult.Ok && !authenticated && output.All(b => b == 0);
    }

    [Fact]
    public void Wrong_key_fails_authentication()
    {
        using var key = RistrettoPrivate.Generate();
        using var other = RistrettoPrivate.Generate();
        var cryptogram = VersionedCryptoBox.Encrypt(key.PublicKey, "hello"u8);
        var output = new byte[5];
        Assert.Equal(CryptoBoxResult.Ok, VersionedCryptoBox.Decrypt(other, cryptogram, output, out var authenticated));
        Assert.False(authenticated);
    }

    [Fact]
    public void Structural_errors_are_typed()
    {
        using var key = RistrettoPrivate.Generate();
        var cryptogram = VersionedCryptoBox.Encrypt(key.PublicKey, "payload"u8);
        var output = new byte[7];

        Assert.Equal(CryptoBoxResult.TooShort, VersionedCryptoBox.Decrypt(key, cryptogram.AsSpan(0, 49), [], out _));

        var badMajor = (byte[])cryptogram.Clone();
        badMajor[^2] = 2;
        Assert.Equal(CryptoBoxResult.WrongMagicBytes, VersionedCryptoBox.Decrypt(key, badMajor, output, out _));

        var badMinor = (byte[])cryptogram.Clone();
        badMinor[^1] = 1;
        Assert.Equal(CryptoBoxResult.UnknownAlgorithm, VersionedCryptoBox.Decrypt(key, badMinor, output, out _));

        var badPoint = (byte[])cryptogram.Clone();
        badPoint.AsSpan(7, 32).Fill(0xff);
        Assert.Equal(CryptoBoxResult.InvalidEphemeralKey, VersionedCryptoBox.Decrypt(key, badPoint, output, out _));
    }

    [Fact]
    public void Empty_plaintext_is_a_bare_footer()
    {
        using var key = RistrettoPrivate.Generate();
        var cryptogram = VersionedCryptoBox.Encrypt(key.PublicKey, []);
        Assert.Equal(VersionedCryptoBox.FooterSize, cryptogram.Length);
        Assert.Equal([], VersionedCryptoBox.TryDecrypt(key, cryptogram)!);
    }
}
