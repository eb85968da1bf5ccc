using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fog.Model.Keys;

/// <summary>
/// SLIP-0010 key derivation on ed25519 (hardened children only), as MobileCoin uses it for BIP-39 wallets:
/// path m/44'/866'/account'.
/// </summary>
public static class Slip10
{
    /// <summary>BIP-44 purpose.</summary>
    public const uint UsageBip44 = 44;

    /// <summary>MobileCoin's registered coin type.</summary>
    public const uint CoinTypeMobileCoin = 866;

    private const uint Hardened = 0x8000_0000;

    /// <summary>The 32-byte SLIP-10 key at m/44'/866'/<paramref name="accountIndex"/>' of a BIP-39 seed.</summary>
    public static byte[] DeriveMobileCoinKey(ReadOnlySpan<byte> seed, uint accountIndex) =>
        DeriveEd25519(seed, [UsageBip44 | Hardened, CoinTypeMobileCoin | Hardened, (accountIndex & 0x7FFF_FFFF) | Hardened]);

    /// <summary>SLIP-10 ed25519 derivation along a path of hardened indices; returns the final 32-byte key.</summary>
    public static byte[] DeriveEd25519(ReadOnlySpan<byte> seed, ReadOnlySpan<uint> path)
    {
        Span<byte> node = stackalloc byte[64];
        Span<byte> data = stackalloc byte[37];
        try
        {
            HMACSHA512.HashData("ed25519 seed"u8, seed, node);
            foreach (var index in path)
            {
                if ((index & Hardened) == 0)
                {
                    throw new ArgumentException("ed25519 SLIP-10 derivation supports hardened indices only.", nameof(path));
                }

                data[0] = 0;
                node[..32].CopyTo(data[1..]);
                BinaryPrimitives.WriteUInt32BigEndian(data[33..], index);
                var chainCode = node[32..].ToArray();
                HMACSHA512.HashData(chainCode, data, node);
                CryptographicOperations.ZeroMemory(chainCode);
            }

            return node[..32].ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(node);
            CryptographicOperations.ZeroMemory(data);
        }
    }
}
