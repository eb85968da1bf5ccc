using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Fog.Attestation.Noise;

/// <summary>
/// A Noise CipherState for AESGCM (Noise spec rev. 34 §5.1, §12.3): a 256-bit key held inside an
/// <see cref="AesGcm"/> instance and a 64-bit counter nonce, encoded as 4 zero bytes followed by the
/// big-endian counter. The nonce 2^64-1 is reserved and never used. No automatic rekey.
/// </summary>
/// <remarks>Not thread-safe: one writer or reader at a time (the channel types add locking).</remarks>
public sealed class NoiseCipherState : IDisposable
{
    /// <summary>AES-256 key size.</summary>
    public const int KeySizeInBytes = 32;

    /// <summary>AES-GCM tag size, appended to every ciphertext.</summary>
    public const int TagSizeInBytes = 16;

    /// <summary>AES-GCM nonce size.</summary>
    public const int NonceSizeInBytes = 12;

    private AesGcm? _aes;

    /// <summary>True once a key is set; before that, encryption passes plaintext through (handshake only).</summary>
    public bool HasKey => _aes is not null;

    /// <summary>The next nonce this state will use.</summary>
    public ulong Nonce { get; private set; }

    /// <summary>Sets the key and resets the nonce to zero (InitializeKey).</summary>
    internal void InitializeKey(ReadOnlySpan<byte> key)
    {
        _aes?.Dispose();
        _aes = new AesGcm(key, TagSizeInBytes);
        Nonce = 0;
    }

    /// <summary>Sets the next nonce (SetNonce).</summary>
    internal void SetNonce(ulong nonce) => Nonce = nonce;

    /// <summary>The ciphertext length for a plaintext of <paramref name="plaintextLength"/> bytes.</summary>
    public int CiphertextLength(int plaintextLength) => HasKey ? plaintextLength + TagSizeInBytes : plaintextLength;

    /// <summary>
    /// EncryptWithAd: encrypts with the current nonce and advances it. Without a key, copies the plaintext.
    /// </summary>
    /// <param name="associatedData">Authenticated, unencrypted data.</param>
    /// <param name="plaintext">The message.</param>
    /// <param name="destination">Receives ciphertext || tag; must be <see cref="CiphertextLength"/> bytes.</param>
    /// <returns>The nonce that was used.</returns>
    /// <exception cref="InvalidOperationException">The nonce space is exhausted (2^64-1 messages).</exception>
    public ulong EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (destination.Length != CiphertextLength(plaintext.Length))
        {
            throw new ArgumentException("The destination must hold exactly the ciphertext and tag.", nameof(destination));
        }

        var used = Nonce;
        if (_aes is null)
        {
            plaintext.CopyTo(destination);
            return used;
        }

        if (used == ulong.MaxValue)
        {
            throw new InvalidOperationException("The Noise nonce space is exhausted; start a new handshake.");
        }

        Span<byte> nonce = stackalloc byte[NonceSizeInBytes];
        EncodeNonce(used, nonce);
        _aes.Encrypt(nonce, plaintext, destination[..plaintext.Length], destination[plaintext.Length..], associatedData);
        Nonce = used + 1;
        return used;
    }

    /// <summary>EncryptWithAd into a new array.</summary>
    public byte[] EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        var result = new byte[CiphertextLength(plaintext.Length)];
        EncryptWithAd(associatedData, plaintext, result);
        return result;
    }

    /// <summary>
    /// DecryptWithAd: decrypts with the current nonce and advances it on success only.
    /// Without a key, copies the input.
    /// </summary>
    /// <returns>False if the ciphertext is too short, does not authenticate, or the nonce space is exhausted.</returns>
    public bool TryDecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, [NotNullWhen(true)] out byte[]? plaintext)
    {
        if (_aes is null)
        {
            plaintext = ciphertext.ToArray();
            return true;
        }

        if (!TryDecryptAt(Nonce, associatedData, ciphertext, out plaintext))
        {
            return false;
        }

        Nonce++;
        return true;
    }

    /// <summary>
    /// Decrypts with an explicit nonce without touching <see cref="Nonce"/> (for explicit-nonce messages;
    /// the caller is responsible for replay protection).
    /// </summary>
    public bool TryDecryptAt(ulong nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, [NotNullWhen(true)] out byte[]? plaintext)
    {
        plaintext = null;
        if (_aes is null || nonce == ulong.MaxValue || ciphertext.Length < TagSizeInBytes)
        {
            return false;
        }

        var output = new byte[ciphertext.Length - TagSizeInBytes];
        Span<byte> nonceBytes = stackalloc byte[NonceSizeInBytes];
        EncodeNonce(nonce, nonceBytes);
        try
        {
            _aes.Decrypt(nonceBytes, ciphertext[..output.Length], ciphertext[output.Length..], output, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(output);
            return false;
        }

        plaintext = output;
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _aes?.Dispose();
        _aes = null;
    }

    /// <inheritdoc />
    public override string ToString() => HasKey ? $"Noise cipher state (nonce {Nonce})" : "Noise cipher state (no key)";

    private static void EncodeNonce(ulong counter, Span<byte> nonce)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter);
    }
}
