using NSec.Cryptography;

namespace Fog.Crypto.Hashing;

/// <summary>
/// Unkeyed BLAKE2b with a 32- or 64-byte digest (libsodium, via NSec). BLAKE2b-256 here is the real
/// 32-byte variant (digest length in the parameter block), not a truncated BLAKE2b-512, as MobileCoin's
/// <c>Blake2b256</c> is. Tags are hashed as their raw bytes with no length prefix.
/// </summary>
public struct Blake2b
{
    /// <summary>BLAKE2b-512 digest size.</summary>
    public const int Size512 = 64;

    /// <summary>BLAKE2b-256 digest size.</summary>
    public const int Size256 = 32;

    /// <summary>BLAKE2b's block size, which HMAC over BLAKE2b uses.</summary>
    public const int BlockSize = 128;

    private IncrementalHash _state;
    private readonly int _size;

    private Blake2b(HashAlgorithm algorithm, int size)
    {
        IncrementalHash.Initialize(algorithm, out _state);
        _size = size;
    }

    /// <summary>Starts a BLAKE2b-512 hash.</summary>
    public static Blake2b Create512() => new(HashAlgorithm.Blake2b_512, Size512);

    /// <summary>Starts a BLAKE2b-256 hash.</summary>
    public static Blake2b Create256() => new(HashAlgorithm.Blake2b_256, Size256);

    /// <summary>Starts a BLAKE2b hash with the given digest size (32 or 64).</summary>
    public static Blake2b Create(int digestSize) => digestSize switch
    {
        Size512 => Create512(),
        Size256 => Create256(),
        _ => throw new ArgumentOutOfRangeException(nameof(digestSize), digestSize, "BLAKE2b digest size must be 32 or 64."),
    };

    /// <summary>The digest size of this hash.</summary>
    public readonly int DigestSize => _size;

    /// <summary>Absorbs bytes.</summary>
    public void Update(ReadOnlySpan<byte> data) => IncrementalHash.Update(ref _state, data);

    /// <summary>Writes the digest (exactly <see cref="DigestSize"/> bytes) and ends this hash.</summary>
    public void Finalize(Span<byte> digest)
    {
        if (digest.Length != _size)
        {
            throw new ArgumentException($"Expected {_size} bytes, got {digest.Length}.", nameof(digest));
        }

        IncrementalHash.Finalize(ref _state, digest);
    }

    /// <summary>BLAKE2b-512 of the concatenation of the inputs.</summary>
    public static void Hash512(ReadOnlySpan<byte> a, Span<byte> digest) => Hash(Create512(), a, [], [], digest);

    /// <summary>BLAKE2b-512 of the concatenation of the inputs.</summary>
    public static void Hash512(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> digest) => Hash(Create512(), a, b, [], digest);

    /// <summary>BLAKE2b-512 of the concatenation of the inputs.</summary>
    public static void Hash512(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<byte> digest) =>
        Hash(Create512(), a, b, c, digest);

    /// <summary>BLAKE2b-256 of the concatenation of the inputs.</summary>
    public static void Hash256(ReadOnlySpan<byte> a, Span<byte> digest) => Hash(Create256(), a, [], [], digest);

    /// <summary>BLAKE2b-256 of the concatenation of the inputs.</summary>
    public static void Hash256(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> digest) => Hash(Create256(), a, b, [], digest);

    /// <summary>BLAKE2b-256 of the concatenation of the inputs.</summary>
    public static void Hash256(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<byte> digest) =>
        Hash(Create256(), a, b, c, digest);

    private static void Hash(Blake2b hash, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<byte> digest)
    {
        hash.Update(a);
        hash.Update(b);
        hash.Update(c);
        hash.Finalize(digest);
    }
}
