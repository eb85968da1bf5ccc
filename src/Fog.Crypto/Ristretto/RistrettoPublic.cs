using System.Diagnostics.CodeAnalysis;

namespace Fog.Crypto.Ristretto;

/// <summary>
/// A ristretto255 public key: a compressed point whose encoding has been validated (MobileCoin's
/// <c>RistrettoPublic</c>).
/// </summary>
public sealed class RistrettoPublic : IEquatable<RistrettoPublic>
{
    /// <summary>Size of the compressed encoding.</summary>
    public const int Size = Ristretto255.PointSize;

    private readonly byte[] _bytes;

    private RistrettoPublic(byte[] bytes) => _bytes = bytes;

    /// <summary>The 32-byte compressed encoding.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The generator G.</summary>
    public static RistrettoPublic BasePoint { get; } = new(Ristretto255.BasePoint.ToArray());

    /// <summary>Parses a compressed point; false if it is not 32 bytes or not a valid encoding.</summary>
    public static bool TryFrom(ReadOnlySpan<byte> encoding, [NotNullWhen(true)] out RistrettoPublic? key)
    {
        if (!Ristretto255.IsValidPoint(encoding))
        {
            key = null;
            return false;
        }

        key = new RistrettoPublic(encoding.ToArray());
        return true;
    }

    /// <summary>Parses a compressed point.</summary>
    /// <exception cref="ArgumentException">It is not 32 bytes or not a valid ristretto255 encoding.</exception>
    public static RistrettoPublic From(ReadOnlySpan<byte> encoding) =>
        TryFrom(encoding, out var key)
            ? key
            : throw new ArgumentException(
                encoding.Length == Size ? "Not a valid ristretto255 point encoding." : $"A ristretto255 point is {Size} bytes, got {encoding.Length}.",
                nameof(encoding));

    /// <summary>The point n·G.</summary>
    public static RistrettoPublic FromScalarTimesBase(ReadOnlySpan<byte> scalar)
    {
        var bytes = new byte[Size];
        Ristretto255.ScalarMultiplyBase(scalar, bytes);
        return new RistrettoPublic(bytes);
    }

    /// <summary>The point derived from 64 uniform bytes (hash-to-group).</summary>
    public static RistrettoPublic FromUniformBytes(ReadOnlySpan<byte> uniform)
    {
        var bytes = new byte[Size];
        Ristretto255.FromUniformBytes(uniform, bytes);
        return new RistrettoPublic(bytes);
    }

    /// <summary>n·P.</summary>
    public RistrettoPublic Multiply(ReadOnlySpan<byte> scalar)
    {
        var bytes = new byte[Size];
        Ristretto255.ScalarMultiply(scalar, _bytes, bytes);
        return new RistrettoPublic(bytes);
    }

    /// <summary>P + Q.</summary>
    public RistrettoPublic Add(RistrettoPublic other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var bytes = new byte[Size];
        Ristretto255.Add(_bytes, other._bytes, bytes);
        return new RistrettoPublic(bytes);
    }

    /// <summary>P − Q.</summary>
    public RistrettoPublic Subtract(RistrettoPublic other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var bytes = new byte[Size];
        Ristretto255.Subtract(_bytes, other._bytes, bytes);
        return new RistrettoPublic(bytes);
    }

    /// <summary>Verifies a Schnorrkel signature made by the private key of this public key.</summary>
    public bool VerifySchnorrkel(ReadOnlySpan<byte> context, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Signatures.Schnorrkel.Verify(_bytes, context, message, signature);

    /// <summary>A copy of the encoding.</summary>
    public byte[] ToArray() => (byte[])_bytes.Clone();

    /// <inheritdoc />
    public bool Equals(RistrettoPublic? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RistrettoPublic other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    /// <summary>The encoding in lowercase hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(_bytes);
}
