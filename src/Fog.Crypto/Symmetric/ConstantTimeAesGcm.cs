using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Fog.Crypto.Symmetric;

/// <summary>
/// AES-256-GCM (96-bit nonce, 128-bit tag) whose decryption reports failure as a flag computed in constant
/// time instead of an exception, like <c>mc-oblivious-aes-gcm</c>'s <c>decrypt_in_place_detached</c>: an
/// enclave must not reveal through timing whether a ciphertext (a fog hint, say) was meant for it.
/// </summary>
/// <remarks>
/// Security: GCM encryption and decryption share the CTR keystream, so decryption here runs the OpenSSL-backed
/// encryption twice — once over the ciphertext (giving the plaintext) and once over that plaintext (giving the
/// tag of the received ciphertext) — and compares tags with <see cref="CryptographicOperations.FixedTimeEquals"/>.
/// On failure the plaintext is replaced by zeros with a mask, not a branch.
/// </remarks>
public static class ConstantTimeAesGcm
{
    /// <summary>Key size.</summary>
    public const int KeySize = 32;

    /// <summary>Nonce size.</summary>
    public const int NonceSize = 12;

    /// <summary>Tag size.</summary>
    public const int TagSize = 16;

    /// <summary>Encrypts with associated data, writing ciphertext and detached tag.</summary>
    public static void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default)
    {
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
    }

    /// <summary>
    /// Decrypts and authenticates. Returns true if the tag is valid; otherwise false with <paramref name="plaintext"/>
    /// zeroed. Timing does not depend on whether the tag is valid.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
    {
        if (tag.Length != TagSize)
        {
            throw new ArgumentException($"The tag is {TagSize} bytes.", nameof(tag));
        }

        if (plaintext.Length != ciphertext.Length)
        {
            throw new ArgumentException("Plaintext and ciphertext lengths differ.", nameof(plaintext));
        }

        using var aes = new AesGcm(key, TagSize);
        Span<byte> ignoredTag = stackalloc byte[TagSize];
        Span<byte> expectedTag = stackalloc byte[TagSize];
        var reencrypted = ciphertext.Length <= 1024 ? stackalloc byte[ciphertext.Length] : new byte[ciphertext.Length];

        // CTR keystream ⊕ ciphertext = plaintext; the tag of this first pass is meaningless.
        aes.Encrypt(nonce, ciphertext, plaintext, ignoredTag, associatedData);

        // Encrypting the plaintext reproduces the ciphertext and the tag it should carry.
        aes.Encrypt(nonce, plaintext, reencrypted, expectedTag, associatedData);
        var ok = CryptographicOperations.FixedTimeEquals(expectedTag, tag);

        var mask = unchecked((byte)-Unsafe.As<bool, byte>(ref ok));
        for (var i = 0; i < plaintext.Length; i++)
        {
            plaintext[i] &= mask;
        }

        CryptographicOperations.ZeroMemory(reencrypted);
        return ok;
    }
}
