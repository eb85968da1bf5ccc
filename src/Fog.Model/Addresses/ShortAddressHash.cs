using Fog.Crypto.Digestible;

namespace Fog.Model.Addresses;

/// <summary>
/// The first 16 bytes of a public address's digest under context "mc-address": how authenticated memos name
/// a sender or recipient.
/// </summary>
public readonly struct ShortAddressHash : IEquatable<ShortAddressHash>
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 16;

    private readonly byte[]? _bytes;

    /// <summary>A hash from its 16 bytes.</summary>
    public ShortAddressHash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A short address hash is {Size} bytes.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The 16 bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? new byte[Size];

    /// <summary>The hash of <paramref name="address"/>.</summary>
    public static ShortAddressHash Of(PublicAddress address) =>
        new(DigestTranscript.Digest32("mc-address"u8, address).AsSpan(0, Size));

    /// <inheritdoc />
    public bool Equals(ShortAddressHash other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ShortAddressHash other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(Bytes);

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(Bytes);

    /// <summary>Equality.</summary>
    public static bool operator ==(ShortAddressHash left, ShortAddressHash right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ShortAddressHash left, ShortAddressHash right) => !left.Equals(right);
}
