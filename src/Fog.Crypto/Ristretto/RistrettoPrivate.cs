using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Crypto.Interop;
using Fog.Crypto.Signatures;

namespace Fog.Crypto.Ristretto;

/// <summary>
/// A ristretto255 private key: a canonical scalar kept in libsodium's guarded memory (MobileCoin's
/// <c>RistrettoPrivate</c>). Dispose it when done; <see cref="ToString"/> reveals nothing and export is explicit.
/// </summary>
public sealed class RistrettoPrivate : IDisposable
{
    /// <summary>Size of the scalar.</summary>
    public const int Size = Ristretto255.ScalarSize;

    private readonly SecureMemoryHandle _scalar;
    private RistrettoPublic? _publicKey;

    private RistrettoPrivate()
    {
        _scalar = SecureMemoryHandle.Allocate(Size);
    }

    /// <summary>The public key x·G.</summary>
    public RistrettoPublic PublicKey => _publicKey ??= RistrettoPublic.FromScalarTimesBase(Scalar);

    /// <summary>The secret scalar; valid while this key is not disposed.</summary>
    private ReadOnlySpan<byte> Scalar => _scalar.Span;

    /// <summary>A fresh random key (64 random bytes reduced, as dalek's <c>Scalar::random</c>).</summary>
    public static RistrettoPrivate Generate()
    {
        var key = new RistrettoPrivate();
        Ristretto255.RandomScalar(key._scalar.Span);
        return key;
    }

    /// <summary>Imports a canonical 32-byte scalar; false if it is the wrong length or not less than ℓ.</summary>
    public static bool TryImport(ReadOnlySpan<byte> scalar, [NotNullWhen(true)] out RistrettoPrivate? key)
    {
        if (!Ristretto255.IsCanonicalScalar(scalar))
        {
            key = null;
            return false;
        }

        key = new RistrettoPrivate();
        scalar.CopyTo(key._scalar.Span);
        return true;
    }

    /// <summary>Imports a canonical 32-byte scalar.</summary>
    /// <exception cref="ArgumentException">Wrong length, or not a canonical scalar (not less than ℓ).</exception>
    public static RistrettoPrivate Import(ReadOnlySpan<byte> scalar) =>
        TryImport(scalar, out var key)
            ? key
            : throw new ArgumentException(
                scalar.Length == Size ? "Not a canonical ristretto255 scalar (it must be less than the group order)." : $"A private key is {Size} bytes, got {scalar.Length}.",
                nameof(scalar));

    /// <summary>The key whose scalar is <paramref name="wide"/> (64 bytes) reduced modulo ℓ.</summary>
    public static RistrettoPrivate FromWideBytes(ReadOnlySpan<byte> wide)
    {
        var key = new RistrettoPrivate();
        Ristretto255.ReduceWide(wide, key._scalar.Span);
        return key;
    }

    /// <summary>The key whose scalar is <paramref name="bytes"/> (32 bytes) reduced modulo ℓ.</summary>
    public static RistrettoPrivate FromBytesModOrder(ReadOnlySpan<byte> bytes)
    {
        var key = new RistrettoPrivate();
        Ristretto255.Reduce(bytes, key._scalar.Span);
        return key;
    }

    /// <summary>Writes the scalar (explicit export of secret material).</summary>
    public void Export(Span<byte> destination)
    {
        if (destination.Length != Size)
        {
            throw new ArgumentException($"Expected {Size} bytes.", nameof(destination));
        }

        Scalar.CopyTo(destination);
    }

    /// <summary>The scalar as a new array (explicit export of secret material).</summary>
    public byte[] Export()
    {
        var bytes = new byte[Size];
        Export(bytes);
        return bytes;
    }

    /// <summary>The key (this + <paramref name="scalar"/>) mod ℓ.</summary>
    public RistrettoPrivate AddScalar(ReadOnlySpan<byte> scalar)
    {
        var key = new RistrettoPrivate();
        Ristretto255.ScalarAdd(Scalar, scalar, key._scalar.Span);
        return key;
    }

    /// <summary>The key (this · <paramref name="other"/>) mod ℓ.</summary>
    public RistrettoPrivate Multiply(RistrettoPrivate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var key = new RistrettoPrivate();
        Ristretto255.ScalarMultiplyScalar(Scalar, other.Scalar, key._scalar.Span);
        return key;
    }

    /// <summary>Writes (this · <paramref name="scalar"/>) mod ℓ.</summary>
    public void MultiplyScalar(ReadOnlySpan<byte> scalar, Span<byte> result) =>
        Ristretto255.ScalarMultiplyScalar(Scalar, scalar, result);

    /// <summary>
    /// Diffie-Hellman on ristretto255: the compressed bytes of x·Y (MobileCoin's <c>key_exchange</c>).
    /// Returns false if <paramref name="publicPoint"/> is not a valid encoding.
    /// </summary>
    /// <remarks>Security: constant time in the private scalar.</remarks>
    public bool TryKeyExchange(ReadOnlySpan<byte> publicPoint, Span<byte> sharedSecret) =>
        Ristretto255.TryScalarMultiply(Scalar, publicPoint, sharedSecret);

    /// <summary>Diffie-Hellman with a validated public key: the compressed bytes of x·Y.</summary>
    public void KeyExchange(RistrettoPublic publicKey, Span<byte> sharedSecret)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        Ristretto255.ScalarMultiply(Scalar, publicKey.Bytes, sharedSecret);
    }

    /// <summary>x·P as a public point (for example a key image x·Hp(P)).</summary>
    public RistrettoPublic MultiplyPoint(RistrettoPublic point)
    {
        ArgumentNullException.ThrowIfNull(point);
        return point.Multiply(Scalar);
    }

    /// <summary>
    /// A deterministic Schnorrkel signature, as MobileCoin's <c>RistrettoPrivate::sign_schnorrkel</c> makes it.
    /// </summary>
    public byte[] SignSchnorrkel(ReadOnlySpan<byte> context, ReadOnlySpan<byte> message)
    {
        var signature = new byte[Schnorrkel.SignatureSize];
        Schnorrkel.Sign(Scalar, PublicKey.Bytes, context, message, signature);
        return signature;
    }

    /// <summary>Wipes and frees the scalar.</summary>
    public void Dispose() => _scalar.Dispose();

    /// <summary>Reveals nothing about the key.</summary>
    public override string ToString() => nameof(RistrettoPrivate);

    /// <summary>Constant-time comparison of two private keys.</summary>
    public bool SecretEquals(RistrettoPrivate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return CryptographicOperations.FixedTimeEquals(Scalar, other.Scalar);
    }
}
