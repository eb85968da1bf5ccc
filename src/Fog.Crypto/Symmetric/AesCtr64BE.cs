using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fog.Crypto.Symmetric;

/// <summary>
/// AES-256 in counter mode where only the last 8 bytes of the 16-byte counter block count, big-endian, wrapping
/// without carrying into the first 8 (RustCrypto's <c>Ctr64BE&lt;Aes256&gt;</c>, which MobileCoin's memos use).
/// Encryption and decryption are the same operation.
/// </summary>
public static class AesCtr64BE
{
    /// <summary>Key size.</summary>
    public const int KeySize = 32;

    /// <summary>Size of the initial counter block.</summary>
    public const int IvSize = 16;

    /// <summary>XORs <paramref name="input"/> with the keystream into <paramref name="output"/>.</summary>
    public static void Transform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"The key is {KeySize} bytes.", nameof(key));
        }

        if (iv.Length != IvSize)
        {
            throw new ArgumentException($"The IV is {IvSize} bytes.", nameof(iv));
        }

        if (output.Length != input.Length)
        {
            throw new ArgumentException("Input and output lengths differ.", nameof(output));
        }

        var blocks = (input.Length + 15) / 16;
        var counters = blocks <= 16 ? stackalloc byte[blocks * 16] : new byte[blocks * 16];
        var keystream = blocks <= 16 ? stackalloc byte[blocks * 16] : new byte[blocks * 16];
        try
        {
            var low = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]);
            for (var i = 0; i < blocks; i++)
            {
                var block = counters.Slice(i * 16, 16);
                iv[..8].CopyTo(block);
                BinaryPrimitives.WriteUInt64BigEndian(block[8..], unchecked(low + (ulong)i));
            }

            using var aes = Aes.Create();
            aes.SetKey(key);
            aes.EncryptEcb(counters, keystream, PaddingMode.None);
            for (var i = 0; i < input.Length; i++)
            {
                output[i] = (byte)(input[i] ^ keystream[i]);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keystream);
        }
    }
}
