using Fog.Crypto.Ristretto;

namespace Fog.Model.Transactions;

/// <summary>
/// The key image I = x·Hp(P) of a one-time key x (P = x·G): the same for every spend of an output and
/// unlinkable to it, so the ledger records key images to stop double spends.
/// </summary>
public sealed class KeyImage : IEquatable<KeyImage>
{
    /// <summary>Size of the compressed point.</summary>
    public const int Size = 32;

    private readonly byte[] _bytes;

    /// <summary>A key image from its 32 bytes (not validated as a point; the ledger treats it as opaque).</summary>
    public KeyImage(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A key image is {Size} bytes, got {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The compressed point.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The key image of a one-time private key.</summary>
    public static KeyImage FromOnetimePrivateKey(RistrettoPrivate onetimePrivateKey)
    {
        ArgumentNullException.ThrowIfNull(onetimePrivateKey);
        Span<byte> hp = stackalloc byte[32];
        OnetimeKeys.HashToPoint(onetimePrivateKey.PublicKey.Bytes, hp);
        return new KeyImage(onetimePrivateKey.MultiplyPoint(RistrettoPublic.From(hp)).Bytes);
    }

    /// <summary>A copy of the bytes.</summary>
    public byte[] ToArray() => (byte[])_bytes.Clone();

    /// <inheritdoc />
    public bool Equals(KeyImage? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is KeyImage other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(_bytes);
}
