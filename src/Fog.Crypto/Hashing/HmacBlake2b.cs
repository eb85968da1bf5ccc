using System.Security.Cryptography;

namespace Fog.Crypto.Hashing;

/// <summary>
/// HMAC (RFC 2104) over BLAKE2b with BLAKE2b's 128-byte block, and HKDF (RFC 5869) built on it —
/// what RustCrypto's <c>SimpleHmac&lt;Blake2b*&gt;</c> and <c>SimpleHkdf&lt;Blake2b*&gt;</c> compute. This is
/// not BLAKE2b's keyed mode.
/// </summary>
public static class HmacBlake2b
{
    private const byte InnerPad = 0x36;
    private const byte OuterPad = 0x5c;

    /// <summary>HMAC-BLAKE2b with a digest of <paramref name="mac"/>.Length (32 or 64) bytes over the concatenated message parts.</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message1, ReadOnlySpan<byte> message2, Span<byte> mac)
    {
        var size = mac.Length;
        Span<byte> block = stackalloc byte[Blake2b.BlockSize];
        Span<byte> inner = stackalloc byte[size];
        try
        {
            block.Clear();
            if (key.Length > Blake2b.BlockSize)
            {
                var keyHash = Blake2b.Create(size);
                keyHash.Update(key);
                keyHash.Finalize(block[..size]);
            }
            else
            {
                key.CopyTo(block);
            }

            Xor(block, InnerPad);
            var hash = Blake2b.Create(size);
            hash.Update(block);
            hash.Update(message1);
            hash.Update(message2);
            hash.Finalize(inner);

            Xor(block, InnerPad ^ OuterPad);
            hash = Blake2b.Create(size);
            hash.Update(block);
            hash.Update(inner);
            hash.Finalize(mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block);
            CryptographicOperations.ZeroMemory(inner);
        }
    }

    /// <summary>
    /// HKDF-BLAKE2b: extract with <paramref name="salt"/> (empty = no salt) then expand with
    /// <paramref name="info"/> into <paramref name="output"/>. <paramref name="digestSize"/> selects BLAKE2b-256 or -512.
    /// </summary>
    public static void DeriveKey(int digestSize, ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (output.Length > 255 * digestSize)
        {
            throw new ArgumentException("HKDF output is limited to 255 blocks.", nameof(output));
        }

        Span<byte> prk = stackalloc byte[digestSize];
        Span<byte> previous = stackalloc byte[digestSize];
        Span<byte> infoAndCounter = info.Length + 1 <= 256 ? stackalloc byte[info.Length + 1] : new byte[info.Length + 1];
        try
        {
            // An absent salt is a key of zeros, which HMAC pads to the same block as an empty key.
            Compute(salt, inputKeyMaterial, [], prk);

            info.CopyTo(infoAndCounter);
            var written = 0;
            var previousLength = 0;
            for (var counter = 1; written < output.Length; counter++)
            {
                infoAndCounter[^1] = (byte)counter;
                Compute(prk, previous[..previousLength], infoAndCounter, previous);
                previousLength = digestSize;
                var take = Math.Min(digestSize, output.Length - written);
                previous[..take].CopyTo(output[written..]);
                written += take;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
            CryptographicOperations.ZeroMemory(previous);
        }
    }

    private static void Xor(Span<byte> block, int pad)
    {
        for (var i = 0; i < block.Length; i++)
        {
            block[i] ^= (byte)pad;
        }
    }
}
