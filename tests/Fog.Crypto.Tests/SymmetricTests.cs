using System.Security.Cryptography;
using Fog.Crypto.Symmetric;
using FsCheck.Xunit;

namespace Fog.Crypto.Tests;

public class SymmetricTests
{
    [Property(MaxTest = 50)]
    public bool Ctr64_equals_128_bit_counter_mode_when_the_low_half_does_not_wrap(byte[] data)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        iv[8] = 0; // keep the low 64 bits far from wrapping
        var expected = ReferenceCtr128(key, iv, data);
        var actual = new byte[data.Length];
        AesCtr64BE.Transform(key, iv, data, actual);
        return actual.AsSpan().SequenceEqual(expected);
    }

    [Fact]
    public void Ctr64_wraps_the_low_half_without_carrying_into_the_high_half()
    {
        var key = new byte[32];
        var iv = new byte[16];
        iv.AsSpan(8).Fill(0xff);
        iv[7] = 0x42;
        var zeros = new byte[32];
        var stream = new byte[32];
        AesCtr64BE.Transform(key, iv, zeros, stream);

        var second = new byte[16];
        second[7] = 0x42; // counter block after the wrap: high half unchanged, low half zero
        using var aes = Aes.Create();
        aes.Key = key;
        Assert.Equal(aes.EncryptEcb(second, PaddingMode.None), stream[16..]);
    }

    [Fact]
    public void Gcm_decrypt_accepts_a_valid_tag_and_rejects_a_bad_one()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = RandomNumberGenerator.GetBytes(100);
        var ciphertext = new byte[100];
        var tag = new byte[16];
        ConstantTimeAesGcm.Encrypt(key, nonce, plaintext, ciphertext, tag, "aad"u8);

        var output = new byte[100];
        Assert.True(ConstantTimeAesGcm.Decrypt(key, nonce, ciphertext, tag, output, "aad"u8));
        Assert.Equal(plaintext, output);

        Assert.False(ConstantTimeAesGcm.Decrypt(key, nonce, ciphertext, tag, output, "other"u8));
        Assert.All(output, b => Assert.Equal(0, b));

        tag[0] ^= 1;
        Assert.False(ConstantTimeAesGcm.Decrypt(key, nonce, ciphertext, tag, output, "aad"u8));
    }

    private static byte[] ReferenceCtr128(byte[] key, byte[] iv, byte[] data)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var counter = (byte[])iv.Clone();
        var output = new byte[data.Length];
        for (var offset = 0; offset < data.Length; offset += 16)
        {
            var block = aes.EncryptEcb(counter, PaddingMode.None);
            for (var i = 0; i < 16 && offset + i < data.Length; i++)
            {
                output[offset + i] = (byte)(data[offset + i] ^ block[i]);
            }

            for (var i = 15; i >= 0 && ++counter[i] == 0; i--)
            {
            }
        }

        return output;
    }
}
