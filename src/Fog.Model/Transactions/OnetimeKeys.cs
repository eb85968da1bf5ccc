using System.Security.Cryptography;
using Fog.Crypto.Hashing;
using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;

namespace Fog.Model.Transactions;

/// <summary>
/// The one-time key algebra of a TxOut. A sender with transaction key r paying subaddress (C, D) writes
/// target key P = Hs(r·C)·G + D and public key R = r·D; the recipient, with root view key a, computes the
/// shared secret a·R (= r·C), recognises P − Hs(a·R)·G = D, and spends with x = Hs(a·R) + d.
/// </summary>
public static class OnetimeKeys
{
    /// <summary>Hs(X) = BLAKE2b-512("mc_onetime_key_hash_to_scalar" ‖ X) reduced.</summary>
    public static void HashToScalar(ReadOnlySpan<byte> point, Span<byte> scalar)
    {
        Span<byte> digest = stackalloc byte[64];
        Blake2b.Hash512("mc_onetime_key_hash_to_scalar"u8, point, digest);
        Ristretto255.ReduceWide(digest, scalar);
        CryptographicOperations.ZeroMemory(digest);
    }

    /// <summary>Hp(X) = from_uniform(BLAKE2b-512("mc_onetime_key_hash_to_point" ‖ X)): the base of key images.</summary>
    public static void HashToPoint(ReadOnlySpan<byte> point, Span<byte> result)
    {
        Span<byte> digest = stackalloc byte[64];
        Blake2b.Hash512("mc_onetime_key_hash_to_point"u8, point, digest);
        Ristretto255.FromUniformBytes(digest, result);
    }

    /// <summary>The target key P = Hs(r·C)·G + D.</summary>
    public static byte[] CreateTargetKey(RistrettoPrivate txPrivateKey, PublicAddress recipient)
    {
        ArgumentNullException.ThrowIfNull(txPrivateKey);
        ArgumentNullException.ThrowIfNull(recipient);
        Span<byte> shared = stackalloc byte[32];
        Span<byte> hs = stackalloc byte[32];
        Span<byte> hsG = stackalloc byte[32];
        try
        {
            txPrivateKey.KeyExchange(recipient.ViewPublicKey, shared);
            HashToScalar(shared, hs);
            Ristretto255.ScalarMultiplyBase(hs, hsG);
            var target = new byte[32];
            Ristretto255.Add(hsG, recipient.SpendPublicKey.Bytes, target);
            return target;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(hs);
        }
    }

    /// <summary>The TxOut public key R = r·D.</summary>
    public static byte[] CreatePublicKey(RistrettoPrivate txPrivateKey, RistrettoPublic recipientSpendPublic)
    {
        ArgumentNullException.ThrowIfNull(txPrivateKey);
        var result = new byte[32];
        txPrivateKey.KeyExchange(recipientSpendPublic, result);
        return result;
    }

    /// <summary>
    /// The recipient's shared secret a·R with the root view key. False if <paramref name="txOutPublicKey"/> is not a valid point.
    /// </summary>
    public static bool TryGetSharedSecret(RistrettoPrivate rootViewKey, ReadOnlySpan<byte> txOutPublicKey, Span<byte> sharedSecret)
    {
        ArgumentNullException.ThrowIfNull(rootViewKey);
        return rootViewKey.TryKeyExchange(txOutPublicKey, sharedSecret);
    }

    /// <summary>
    /// D' = P − Hs(S)·G for the recipient's shared secret S: equals Dᵢ exactly when the output is for subaddress i.
    /// False if the target key is not a valid point.
    /// </summary>
    public static bool TryRecoverSubaddressSpendPublic(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> targetKey, Span<byte> spendPublic)
    {
        Span<byte> hs = stackalloc byte[32];
        Span<byte> hsG = stackalloc byte[32];
        HashToScalar(sharedSecret, hs);
        Ristretto255.ScalarMultiplyBase(hs, hsG);
        CryptographicOperations.ZeroMemory(hs);
        return Ristretto255.TrySubtract(targetKey, hsG, spendPublic);
    }

    /// <summary>The one-time private key x = Hs(S) + dᵢ, with x·G = P.</summary>
    public static RistrettoPrivate RecoverOnetimePrivateKey(ReadOnlySpan<byte> sharedSecret, RistrettoPrivate subaddressSpendPrivate)
    {
        ArgumentNullException.ThrowIfNull(subaddressSpendPrivate);
        Span<byte> hs = stackalloc byte[32];
        try
        {
            HashToScalar(sharedSecret, hs);
            return subaddressSpendPrivate.AddScalar(hs);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hs);
        }
    }
}
