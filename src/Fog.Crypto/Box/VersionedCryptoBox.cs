using System.Security.Cryptography;
using Fog.Crypto.Hashing;
using Fog.Crypto.Ristretto;
using Fog.Crypto.Symmetric;

namespace Fog.Crypto.Box;

/// <summary>
/// MobileCoin's <c>VersionedCryptoBox</c> 1.0: ristretto255 ECDH with an ephemeral key, HKDF-BLAKE2b-512
/// (salt "dei-salty-box", info "aead-key-iv") to a 32-byte key and 12-byte nonce, then AES-256-GCM with no
/// associated data. A cryptogram is <c>ciphertext ‖ ephemeral public (32) ‖ tag (16) ‖ 0x01 ‖ 0x00</c>, so it
/// is always exactly <see cref="FooterSize"/> bytes longer than the plaintext. Fog hints (34 → 84 bytes) and
/// the record payloads a view server returns are such boxes.
/// </summary>
public static class VersionedCryptoBox
{
    /// <summary>Bytes added to every plaintext.</summary>
    public const int FooterSize = Ristretto255.PointSize + ConstantTimeAesGcm.TagSize + 2;

    /// <summary>The major version byte.</summary>
    public const byte MajorVersion = 1;

    /// <summary>The (only acceptable) minor version byte.</summary>
    public const byte MinorVersion = 0;

    /// <summary>The cryptogram size for a plaintext of <paramref name="plaintextLength"/> bytes.</summary>
    public static int CiphertextSize(int plaintextLength) => checked(plaintextLength + FooterSize);

    /// <summary>Encrypts <paramref name="plaintext"/> to <paramref name="recipient"/> into a new array.</summary>
    public static byte[] Encrypt(RistrettoPublic recipient, ReadOnlySpan<byte> plaintext)
    {
        var cryptogram = new byte[CiphertextSize(plaintext.Length)];
        Encrypt(recipient, plaintext, cryptogram);
        return cryptogram;
    }

    /// <summary>
    /// Encrypts into <paramref name="cryptogram"/>, which must be exactly <see cref="CiphertextSize"/> bytes
    /// (the fixed-length form: the output length depends only on the plaintext length).
    /// </summary>
    public static void Encrypt(RistrettoPublic recipient, ReadOnlySpan<byte> plaintext, Span<byte> cryptogram)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        Span<byte> ephemeral = stackalloc byte[Ristretto255.ScalarSize];
        try
        {
            Ristretto255.RandomScalar(ephemeral);
            EncryptWithEphemeral(recipient.Bytes, ephemeral, plaintext, cryptogram);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
        }
    }

    /// <summary>Encrypts with a caller-chosen ephemeral scalar (for test vectors and deterministic tests only).</summary>
    internal static void EncryptWithEphemeral(ReadOnlySpan<byte> recipientPublic, ReadOnlySpan<byte> ephemeralScalar, ReadOnlySpan<byte> plaintext, Span<byte> cryptogram)
    {
        if (cryptogram.Length != CiphertextSize(plaintext.Length))
        {
            throw new ArgumentException($"The cryptogram must be exactly {CiphertextSize(plaintext.Length)} bytes.", nameof(cryptogram));
        }

        var ciphertext = cryptogram[..plaintext.Length];
        var footer = cryptogram[plaintext.Length..];
        Span<byte> shared = stackalloc byte[Ristretto255.PointSize];
        Span<byte> keyAndNonce = stackalloc byte[ConstantTimeAesGcm.KeySize + ConstantTimeAesGcm.NonceSize];
        try
        {
            Ristretto255.ScalarMultiplyBase(ephemeralScalar, footer[..32]);
            Ristretto255.ScalarMultiply(ephemeralScalar, recipientPublic, shared);
            DeriveKeyAndNonce(shared, keyAndNonce);
            ConstantTimeAesGcm.Encrypt(keyAndNonce[..32], keyAndNonce[32..], plaintext, ciphertext, footer.Slice(32, 16));
            footer[48] = MajorVersion;
            footer[49] = MinorVersion;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(keyAndNonce);
        }
    }

    /// <summary>
    /// Decrypts into <paramref name="plaintext"/> (exactly <c>cryptogram.Length − FooterSize</c> bytes).
    /// Structural problems (length, version bytes, an ephemeral key that is not a point) are reported in the
    /// result; a failed authentication is reported in <paramref name="authenticated"/>, computed in constant
    /// time, with the plaintext zeroed.
    /// </summary>
    /// <remarks>Security: for a well-formed cryptogram the timing does not depend on whether it authenticates.</remarks>
    public static CryptoBoxResult Decrypt(RistrettoPrivate key, ReadOnlySpan<byte> cryptogram, Span<byte> plaintext, out bool authenticated)
    {
        ArgumentNullException.ThrowIfNull(key);
        authenticated = false;
        if (cryptogram.Length < FooterSize)
        {
            return CryptoBoxResult.TooShort;
        }

        var length = cryptogram.Length - FooterSize;
        if (plaintext.Length != length)
        {
            throw new ArgumentException($"The plaintext buffer must be exactly {length} bytes.", nameof(plaintext));
        }

        var footer = cryptogram[length..];
        if (footer[48] != MajorVersion)
        {
            return CryptoBoxResult.WrongMagicBytes;
        }

        if (footer[49] != MinorVersion)
        {
            return CryptoBoxResult.UnknownAlgorithm;
        }

        Span<byte> shared = stackalloc byte[Ristretto255.PointSize];
        Span<byte> keyAndNonce = stackalloc byte[ConstantTimeAesGcm.KeySize + ConstantTimeAesGcm.NonceSize];
        try
        {
            if (!key.TryKeyExchange(footer[..32], shared))
            {
                return CryptoBoxResult.InvalidEphemeralKey;
            }

            DeriveKeyAndNonce(shared, keyAndNonce);
            authenticated = ConstantTimeAesGcm.Decrypt(keyAndNonce[..32], keyAndNonce[32..], cryptogram[..length], footer.Slice(32, 16), plaintext);
            return CryptoBoxResult.Ok;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(keyAndNonce);
        }
    }

    /// <summary>Decrypts into a new array; null if the cryptogram is malformed or does not authenticate.</summary>
    public static byte[]? TryDecrypt(RistrettoPrivate key, ReadOnlySpan<byte> cryptogram)
    {
        if (cryptogram.Length < FooterSize)
        {
            return null;
        }

        var plaintext = new byte[cryptogram.Length - FooterSize];
        return Decrypt(key, cryptogram, plaintext, out var authenticated) == CryptoBoxResult.Ok && authenticated ? plaintext : null;
    }

    private static void DeriveKeyAndNonce(ReadOnlySpan<byte> sharedSecret, Span<byte> keyAndNonce) =>
        HmacBlake2b.DeriveKey(Blake2b.Size512, sharedSecret, "dei-salty-box"u8, "aead-key-iv"u8, keyAndNonce);
}

/// <summary>Structural outcome of <see cref="VersionedCryptoBox.Decrypt"/>.</summary>
public enum CryptoBoxResult
{
    /// <summary>Well formed; see the authentication flag.</summary>
    Ok,

    /// <summary>Shorter than the footer.</summary>
    TooShort,

    /// <summary>The major version byte is not 1.</summary>
    WrongMagicBytes,

    /// <summary>The minor version byte names an algorithm this version does not know.</summary>
    UnknownAlgorithm,

    /// <summary>The ephemeral public key is not a valid point.</summary>
    InvalidEphemeralKey,
}
