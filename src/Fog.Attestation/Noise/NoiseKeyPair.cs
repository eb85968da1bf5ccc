using NSec.Cryptography;

namespace Fog.Attestation.Noise;

/// <summary>
/// An X25519 key pair for Noise (an enclave's static identity or a handshake's ephemeral key).
/// The private key lives in libsodium's guarded memory and cannot be exported.
/// </summary>
public sealed class NoiseKeyPair : IDisposable
{
    /// <summary>Size of an X25519 public key.</summary>
    public const int PublicKeySizeInBytes = 32;

    /// <summary>Size of an X25519 private key.</summary>
    public const int PrivateKeySizeInBytes = 32;

    private readonly Key _key;
    private readonly byte[] _publicKey;
    private bool _disposed;

    private NoiseKeyPair(Key key)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The 32-byte public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    internal Key Key
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    /// <summary>Generates a fresh key pair from the system's secure random generator.</summary>
    public static NoiseKeyPair Generate() => new(Key.Create(KeyAgreementAlgorithm.X25519));

    /// <summary>Imports a raw 32-byte private key (test vectors; keys restored from sealed storage).</summary>
    internal static NoiseKeyPair Import(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeySizeInBytes)
        {
            throw new ArgumentException($"An X25519 private key is {PrivateKeySizeInBytes} bytes.", nameof(privateKey));
        }

        return new NoiseKeyPair(Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey));
    }

    /// <summary>A copy of the public key.</summary>
    public byte[] ExportPublicKey() => (byte[])_publicKey.Clone();

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _key.Dispose();
    }

    /// <summary>Names the key by its public half only.</summary>
    public override string ToString() => $"X25519 key pair (public {Convert.ToHexStringLower(_publicKey.AsSpan(0, 4))}…)";
}
