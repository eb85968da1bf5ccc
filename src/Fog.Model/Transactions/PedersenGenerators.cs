using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Fog.Crypto.Hashing;
using Fog.Crypto.Ristretto;

namespace Fog.Model.Transactions;

/// <summary>
/// Pedersen commitments C = v·H_token + b·G with a value generator per token:
/// H_token = from_uniform(BLAKE2b-512("mc_onetime_key_hash_to_point" ‖ (G with the token id XORed into its first 8 bytes))).
/// </summary>
public static class PedersenGenerators
{
    private static readonly ConcurrentDictionary<ulong, byte[]> ValueGenerators = new();

    /// <summary>The value generator H for <paramref name="tokenId"/>.</summary>
    public static ReadOnlySpan<byte> ValueGenerator(ulong tokenId) => ValueGenerators.GetOrAdd(tokenId, ComputeValueGenerator);

    /// <summary>Writes C = v·H_token + b·G.</summary>
    public static void Commit(ulong value, ulong tokenId, ReadOnlySpan<byte> blinding, Span<byte> commitment)
    {
        Span<byte> valueScalar = stackalloc byte[32];
        Span<byte> vH = stackalloc byte[32];
        Span<byte> bG = stackalloc byte[32];
        try
        {
            Ristretto255.ScalarFromUInt64(value, valueScalar);
            Ristretto255.ScalarMultiply(valueScalar, ValueGenerator(tokenId), vH);
            Ristretto255.ScalarMultiplyBase(blinding, bG);
            Ristretto255.Add(vH, bG, commitment);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(valueScalar);
            CryptographicOperations.ZeroMemory(vH);
        }
    }

    private static byte[] ComputeValueGenerator(ulong tokenId)
    {
        Span<byte> basepoint = stackalloc byte[32];
        Ristretto255.BasePoint.CopyTo(basepoint);
        Span<byte> tokenBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(tokenBytes, tokenId);
        for (var i = 0; i < 8; i++)
        {
            basepoint[i] ^= tokenBytes[i];
        }

        Span<byte> digest = stackalloc byte[64];
        Blake2b.Hash512("mc_onetime_key_hash_to_point"u8, basepoint, digest);
        var generator = new byte[32];
        Ristretto255.FromUniformBytes(digest, generator);
        return generator;
    }
}
