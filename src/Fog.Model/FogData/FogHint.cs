using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Fog.Crypto.Box;
using Fog.Crypto.Ristretto;

namespace Fog.Model.FogData;

/// <summary>
/// The encrypted fog hint of a TxOut: the recipient's subaddress view public key and two magic bytes (42, 42),
/// boxed to the fog ingest enclave's ingress key — 34 bytes of plaintext, 84 of ciphertext. A recipient without
/// fog gets a fake hint (zeros boxed to a random key), indistinguishable from a real one.
/// </summary>
public static class FogHint
{
    /// <summary>Size of the plaintext.</summary>
    public const int PlaintextSize = 34;

    /// <summary>Size of the encrypted hint.</summary>
    public const int Size = PlaintextSize + VersionedCryptoBox.FooterSize;

    /// <summary>The magic byte written twice after the key.</summary>
    public const byte Magic = 42;

    /// <summary>A hint telling the ingest enclave holding <paramref name="ingressPublicKey"/> that this TxOut is for <paramref name="recipientViewPublicKey"/>.</summary>
    public static byte[] Encrypt(RistrettoPublic ingressPublicKey, RistrettoPublic recipientViewPublicKey)
    {
        ArgumentNullException.ThrowIfNull(ingressPublicKey);
        ArgumentNullException.ThrowIfNull(recipientViewPublicKey);
        Span<byte> plaintext = stackalloc byte[PlaintextSize];
        recipientViewPublicKey.Bytes.CopyTo(plaintext);
        plaintext[32] = Magic;
        plaintext[33] = Magic;
        var hint = new byte[Size];
        VersionedCryptoBox.Encrypt(ingressPublicKey, plaintext, hint);
        return hint;
    }

    /// <summary>A fake hint for a recipient without fog: 34 zero bytes boxed to a random key.</summary>
    public static byte[] Fake()
    {
        using var randomKey = RistrettoPrivate.Generate();
        var hint = new byte[Size];
        VersionedCryptoBox.Encrypt(randomKey.PublicKey, new byte[PlaintextSize], hint);
        return hint;
    }

    /// <summary>
    /// Decrypts a hint with the ingress private key. Returns true, with the recipient's view public key in
    /// <paramref name="recipientViewPublicKey"/>, if the hint authenticates and carries the magic bytes; otherwise
    /// false with zeros written.
    /// </summary>
    /// <remarks>
    /// Security: for a well-formed 84-byte hint, the work done and the time taken do not depend on whether it
    /// decrypts (ingest must not reveal which TxOuts are for fog users). Malformed framing (wrong length or
    /// version bytes, an invalid ephemeral key) is public and returns early.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool TryDecrypt(RistrettoPrivate ingressPrivateKey, ReadOnlySpan<byte> hint, Span<byte> recipientViewPublicKey)
    {
        ArgumentNullException.ThrowIfNull(ingressPrivateKey);
        if (recipientViewPublicKey.Length != 32)
        {
            throw new ArgumentException("The output is 32 bytes.", nameof(recipientViewPublicKey));
        }

        recipientViewPublicKey.Clear();
        if (hint.Length != Size)
        {
            return false;
        }

        Span<byte> plaintext = stackalloc byte[PlaintextSize];
        try
        {
            if (VersionedCryptoBox.Decrypt(ingressPrivateKey, hint, plaintext, out var authenticated) != CryptoBoxResult.Ok)
            {
                return false;
            }

            // Combine the flags without branching: authenticated ∧ magic₁ = 42 ∧ magic₂ = 42.
            var ok = Unsafe.As<bool, byte>(ref authenticated) &
                     IsZero((byte)(plaintext[32] ^ Magic)) &
                     IsZero((byte)(plaintext[33] ^ Magic));
            var mask = unchecked((byte)-ok);
            for (var i = 0; i < 32; i++)
            {
                recipientViewPublicKey[i] = (byte)(plaintext[i] & mask);
            }

            return ok == 1;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    // 1 if b == 0, else 0, without a branch.
    private static byte IsZero(byte b) => unchecked((byte)(((uint)b - 1) >> 31));
}
