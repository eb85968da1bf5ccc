using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Fog.Attestation.Evidence;
using NSec.Cryptography;

namespace Fog.Attestation.Sealing;

/// <summary>Why a blob could not be unsealed.</summary>
public enum UnsealError
{
    /// <summary>The blob is too short or not a sealed blob.</summary>
    Malformed = 1,

    /// <summary>The blob's format version is not one this code reads.</summary>
    UnsupportedVersion = 2,

    /// <summary>The blob was sealed for another enclave measurement.</summary>
    MeasurementMismatch = 3,

    /// <summary>
    /// The blob does not authenticate: it was altered, sealed on another machine (another sealing
    /// secret), or unsealed with different associated data.
    /// </summary>
    AuthenticationFailed = 4,
}

/// <summary>
/// Seals data to one enclave measurement on this machine: AES-256-GCM under
/// HKDF-SHA512(ikm = machine sealing secret, salt = "Fog sealing v1", info = measurement).
/// </summary>
/// <remarks>
/// Blob layout: version (1 byte, = 1) || measurement (32) || nonce (12) || ciphertext || tag (16).
/// The header is authenticated together with the caller's associated data. NOT hardware-protected:
/// see <see cref="MachineSealingSecret"/>. Thread-safe.
/// </remarks>
public sealed class Sealer : IDisposable
{
    /// <summary>The format version written.</summary>
    public const byte Version = 1;

    /// <summary>Bytes a sealed blob adds to its plaintext.</summary>
    public const int OverheadInBytes = HeaderSize + TagSize;

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + EnclaveMeasurement.SizeInBytes + NonceSize;

    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("Fog sealing v1");

    private readonly AesGcm _aes;
    private readonly byte[] _measurement;

    /// <summary>Creates a sealer for <paramref name="measurement"/>; the secret is used only here and may be disposed afterwards.</summary>
    public Sealer(MachineSealingSecret secret, EnclaveMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(measurement);
        Measurement = measurement;
        _measurement = measurement.Value.ToArray();
        Span<byte> key = stackalloc byte[32];
        try
        {
            KeyDerivationAlgorithm.HkdfSha512.DeriveBytes(secret.Secret, Salt, _measurement, key);
            _aes = new AesGcm(key, TagSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The measurement blobs are bound to.</summary>
    public EnclaveMeasurement Measurement { get; }

    /// <summary>Seals <paramref name="plaintext"/>; the same <paramref name="associatedData"/> is needed to unseal.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
    {
        var blob = new byte[OverheadInBytes + plaintext.Length];
        blob[0] = Version;
        _measurement.CopyTo(blob.AsSpan(1));
        var nonce = blob.AsSpan(1 + EnclaveMeasurement.SizeInBytes, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var aad = Aad(blob.AsSpan(0, HeaderSize), associatedData);
        _aes.Encrypt(nonce, plaintext, blob.AsSpan(HeaderSize, plaintext.Length), blob.AsSpan(HeaderSize + plaintext.Length), aad);
        return blob;
    }

    /// <summary>Unseals a blob sealed for this measurement on this machine.</summary>
    /// <returns>False with a typed reason if it cannot; never throws for bad input.</returns>
    public bool TryUnseal(ReadOnlySpan<byte> blob, [NotNullWhen(true)] out byte[]? plaintext, out UnsealError error, ReadOnlySpan<byte> associatedData = default)
    {
        plaintext = null;
        if (blob.Length < OverheadInBytes)
        {
            error = UnsealError.Malformed;
            return false;
        }

        if (blob[0] != Version)
        {
            error = UnsealError.UnsupportedVersion;
            return false;
        }

        if (!blob.Slice(1, EnclaveMeasurement.SizeInBytes).SequenceEqual(_measurement))
        {
            error = UnsealError.MeasurementMismatch;
            return false;
        }

        var output = new byte[blob.Length - OverheadInBytes];
        try
        {
            _aes.Decrypt(
                blob.Slice(1 + EnclaveMeasurement.SizeInBytes, NonceSize),
                blob.Slice(HeaderSize, output.Length),
                blob[(HeaderSize + output.Length)..],
                output,
                Aad(blob[..HeaderSize], associatedData));
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(output);
            error = UnsealError.AuthenticationFailed;
            return false;
        }

        plaintext = output;
        error = default;
        return true;
    }

    /// <summary>The measurement a blob says it was sealed for, or null if the blob is malformed (no secret needed).</summary>
    public static EnclaveMeasurement? ReadMeasurement(ReadOnlySpan<byte> blob) =>
        blob.Length >= OverheadInBytes && blob[0] == Version ? EnclaveMeasurement.FromBytes(blob.Slice(1, EnclaveMeasurement.SizeInBytes)) : null;

    /// <inheritdoc />
    public void Dispose() => _aes.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"Sealer for measurement {Measurement.ToHex()}";

    private static byte[] Aad(ReadOnlySpan<byte> header, ReadOnlySpan<byte> associatedData) => [.. header, .. associatedData];
}
