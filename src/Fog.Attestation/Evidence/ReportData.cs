using System.Security.Cryptography;

namespace Fog.Attestation.Evidence;

/// <summary>
/// The report data an enclave binds into its evidence: SHA-256(nonce || key || custom_identity), with
/// a 16-byte nonce, the enclave's 32-byte X25519 Noise static public key, and a custom identity of
/// 32 bytes (e.g. the ingest enclave's ingress key) or none (ledger-and-report.md §6.2).
/// </summary>
public static class ReportData
{
    /// <summary>Size of the nonce.</summary>
    public const int NonceSizeInBytes = 16;

    /// <summary>Size of the key.</summary>
    public const int KeySizeInBytes = 32;

    /// <summary>Size of a present custom identity.</summary>
    public const int CustomIdentitySizeInBytes = 32;

    /// <summary>Size of the hash.</summary>
    public const int HashSizeInBytes = 32;

    /// <summary>
    /// The hash. An empty custom identity is left out of the hash (the reference's <c>None</c>), which
    /// hashes differently from 32 zero bytes.
    /// </summary>
    public static byte[] Hash(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> key, ReadOnlySpan<byte> customIdentity)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(nonce);
        hash.AppendData(key);
        hash.AppendData(customIdentity);
        return hash.GetHashAndReset();
    }
}
