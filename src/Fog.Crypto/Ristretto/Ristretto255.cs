using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Fog.Crypto.Interop;

namespace Fog.Crypto.Ristretto;

/// <summary>
/// The ristretto255 group (RFC 9496) and its scalar field, over libsodium. Points are 32-byte compressed
/// encodings; scalars are 32-byte little-endian integers modulo ℓ = 2^252 + 27742317777372353535851937790883648493.
/// These are the span-level operations every higher type is built on; they behave like curve25519-dalek,
/// which MobileCoin uses.
/// </summary>
/// <remarks>
/// libsodium reports an identity result of a scalar multiplication as an error; this class instead
/// returns the identity (32 zero bytes), which is a valid encoding, so callers see dalek's semantics.
/// </remarks>
public static unsafe class Ristretto255
{
    /// <summary>Size of a compressed point.</summary>
    public const int PointSize = 32;

    /// <summary>Size of a canonical scalar.</summary>
    public const int ScalarSize = 32;

    /// <summary>Size of the uniform input to <see cref="FromUniformBytes"/> and of a wide scalar.</summary>
    public const int WideSize = 64;

    /// <summary>The compressed basepoint G.</summary>
    public static ReadOnlySpan<byte> BasePoint =>
    [
        0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f,
        0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76,
    ];

    /// <summary>The group order ℓ, little-endian.</summary>
    internal static ReadOnlySpan<byte> Order =>
    [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ];

    /// <summary>Whether <paramref name="point"/> is the canonical encoding of a group element (the identity included).</summary>
    public static bool IsValidPoint(ReadOnlySpan<byte> point)
    {
        if (point.Length != PointSize)
        {
            return false;
        }

        if (IsIdentity(point))
        {
            return true;
        }

        Sodium.EnsureInitialized();
        fixed (byte* p = point)
        {
            return Libsodium.crypto_core_ristretto255_is_valid_point(p) == 1;
        }
    }

    /// <summary>Whether a 32-byte encoding is all zeros, i.e. the identity element.</summary>
    public static bool IsIdentity(ReadOnlySpan<byte> point) => point.Length == PointSize && point.IndexOfAnyExcept((byte)0) < 0;

    /// <summary>
    /// Whether <paramref name="scalar"/> is 32 bytes and less than ℓ.
    /// </summary>
    /// <remarks>Security: runs in time independent of the scalar's value.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static bool IsCanonicalScalar(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != ScalarSize)
        {
            return false;
        }

        // Compute scalar - ℓ byte by byte; a final borrow means scalar < ℓ.
        var order = Order;
        var borrow = 0;
        for (var i = 0; i < ScalarSize; i++)
        {
            var difference = scalar[i] - order[i] - borrow;
            borrow = (difference >> 8) & 1;
        }

        return borrow == 1;
    }

    /// <summary>q = n·P. Returns false if <paramref name="point"/> is not a valid encoding.</summary>
    /// <remarks>Security: constant time in the scalar (libsodium). A zero result yields the identity.</remarks>
    public static bool TryScalarMultiply(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> result)
    {
        CheckScalar(scalar, nameof(scalar));
        CheckLength(point, PointSize, nameof(point));
        CheckLength(result, PointSize, nameof(result));
        Sodium.EnsureInitialized();

        // libsodium leaves the output untouched when the point is invalid and zeroes it when the product is
        // the identity; a sentinel that is never a valid encoding tells the two apart.
        Span<byte> output = stackalloc byte[PointSize];
        output.Fill(0xff);
        int rc;
        fixed (byte* q = output)
        fixed (byte* n = scalar)
        fixed (byte* p = point)
        {
            rc = Libsodium.crypto_scalarmult_ristretto255(q, n, p);
        }

        if (rc != 0 && !IsIdentity(output))
        {
            return false;
        }

        output.CopyTo(result);
        return true;
    }

    /// <summary>q = n·P for a point known to be valid (for example one held by a validated key type).</summary>
    /// <exception cref="ArgumentException">The point is not a valid encoding.</exception>
    public static void ScalarMultiply(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> result)
    {
        if (!TryScalarMultiply(scalar, point, result))
        {
            throw new ArgumentException("Not a valid ristretto255 point.", nameof(point));
        }
    }

    /// <summary>q = n·G.</summary>
    /// <remarks>Security: constant time in the scalar (libsodium).</remarks>
    public static void ScalarMultiplyBase(ReadOnlySpan<byte> scalar, Span<byte> result)
    {
        CheckScalar(scalar, nameof(scalar));
        CheckLength(result, PointSize, nameof(result));
        Sodium.EnsureInitialized();
        fixed (byte* q = result)
        fixed (byte* n = scalar)
        {
            // A -1 here means the product is the identity, which libsodium has written as zeros.
            _ = Libsodium.crypto_scalarmult_ristretto255_base(q, n);
        }
    }

    /// <summary>r = P + Q. Returns false if either input is not a valid encoding.</summary>
    public static bool TryAdd(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, Span<byte> result) =>
        AddOrSubtract(p, q, result, subtract: false);

    /// <summary>r = P − Q. Returns false if either input is not a valid encoding.</summary>
    public static bool TrySubtract(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, Span<byte> result) =>
        AddOrSubtract(p, q, result, subtract: true);

    /// <summary>r = P + Q for points known to be valid.</summary>
    public static void Add(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, Span<byte> result)
    {
        if (!TryAdd(p, q, result))
        {
            throw new ArgumentException("Not a valid ristretto255 point.");
        }
    }

    /// <summary>r = P − Q for points known to be valid.</summary>
    public static void Subtract(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, Span<byte> result)
    {
        if (!TrySubtract(p, q, result))
        {
            throw new ArgumentException("Not a valid ristretto255 point.");
        }
    }

    /// <summary>
    /// The element derived from 64 uniform bytes (dalek's <c>RistrettoPoint::from_uniform_bytes</c>,
    /// RFC 9496 element derivation; libsodium's <c>from_hash</c>).
    /// </summary>
    public static void FromUniformBytes(ReadOnlySpan<byte> uniform, Span<byte> result)
    {
        CheckLength(uniform, WideSize, nameof(uniform));
        CheckLength(result, PointSize, nameof(result));
        Sodium.EnsureInitialized();
        fixed (byte* p = result)
        fixed (byte* r = uniform)
        {
            _ = Libsodium.crypto_core_ristretto255_from_hash(p, r);
        }
    }

    /// <summary>Reduces 64 bytes modulo ℓ (dalek's <c>from_bytes_mod_order_wide</c>).</summary>
    public static void ReduceWide(ReadOnlySpan<byte> wide, Span<byte> scalar)
    {
        CheckLength(wide, WideSize, nameof(wide));
        CheckLength(scalar, ScalarSize, nameof(scalar));
        Sodium.EnsureInitialized();
        fixed (byte* r = scalar)
        fixed (byte* s = wide)
        {
            Libsodium.crypto_core_ristretto255_scalar_reduce(r, s);
        }
    }

    /// <summary>Reduces 32 bytes modulo ℓ (dalek's <c>from_bytes_mod_order</c>).</summary>
    public static void Reduce(ReadOnlySpan<byte> bytes, Span<byte> scalar)
    {
        CheckLength(bytes, ScalarSize, nameof(bytes));
        Span<byte> wide = stackalloc byte[WideSize];
        try
        {
            bytes.CopyTo(wide);
            ReduceWide(wide, scalar);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wide);
        }
    }

    /// <summary>The scalar whose value is <paramref name="value"/> (dalek's <c>Scalar::from(u64)</c>).</summary>
    public static void ScalarFromUInt64(ulong value, Span<byte> scalar)
    {
        CheckLength(scalar, ScalarSize, nameof(scalar));
        scalar.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(scalar, value);
    }

    /// <summary>A uniformly random scalar (64 random bytes reduced, as dalek's <c>Scalar::random</c>).</summary>
    public static void RandomScalar(Span<byte> scalar)
    {
        Span<byte> wide = stackalloc byte[WideSize];
        try
        {
            RandomNumberGenerator.Fill(wide);
            ReduceWide(wide, scalar);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wide);
        }
    }

    /// <summary>z = x + y mod ℓ.</summary>
    public static void ScalarAdd(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> z) =>
        ScalarBinary(x, y, z, ScalarOperation.Add);

    /// <summary>z = x − y mod ℓ.</summary>
    public static void ScalarSubtract(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> z) =>
        ScalarBinary(x, y, z, ScalarOperation.Subtract);

    /// <summary>z = x · y mod ℓ.</summary>
    public static void ScalarMultiplyScalar(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> z) =>
        ScalarBinary(x, y, z, ScalarOperation.Multiply);

    /// <summary>r = −s mod ℓ.</summary>
    public static void ScalarNegate(ReadOnlySpan<byte> s, Span<byte> result)
    {
        CheckScalar(s, nameof(s));
        CheckLength(result, ScalarSize, nameof(result));
        Sodium.EnsureInitialized();
        fixed (byte* r = result)
        fixed (byte* p = s)
        {
            Libsodium.crypto_core_ristretto255_scalar_negate(r, p);
        }
    }

    /// <summary>r = 1/s mod ℓ. Returns false for s = 0.</summary>
    public static bool TryScalarInvert(ReadOnlySpan<byte> s, Span<byte> result)
    {
        CheckScalar(s, nameof(s));
        CheckLength(result, ScalarSize, nameof(result));
        Sodium.EnsureInitialized();
        fixed (byte* r = result)
        fixed (byte* p = s)
        {
            return Libsodium.crypto_core_ristretto255_scalar_invert(r, p) == 0;
        }
    }

    private enum ScalarOperation
    {
        Add,
        Subtract,
        Multiply,
    }

    private static void ScalarBinary(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> z, ScalarOperation operation)
    {
        CheckScalar(x, nameof(x));
        CheckScalar(y, nameof(y));
        CheckLength(z, ScalarSize, nameof(z));
        Sodium.EnsureInitialized();
        fixed (byte* r = z)
        fixed (byte* a = x)
        fixed (byte* b = y)
        {
            switch (operation)
            {
                case ScalarOperation.Add:
                    Libsodium.crypto_core_ristretto255_scalar_add(r, a, b);
                    break;
                case ScalarOperation.Subtract:
                    Libsodium.crypto_core_ristretto255_scalar_sub(r, a, b);
                    break;
                default:
                    Libsodium.crypto_core_ristretto255_scalar_mul(r, a, b);
                    break;
            }
        }
    }

    private static bool AddOrSubtract(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, Span<byte> result, bool subtract)
    {
        CheckLength(p, PointSize, nameof(p));
        CheckLength(q, PointSize, nameof(q));
        CheckLength(result, PointSize, nameof(result));
        Sodium.EnsureInitialized();
        fixed (byte* r = result)
        fixed (byte* a = p)
        fixed (byte* b = q)
        {
            var rc = subtract
                ? Libsodium.crypto_core_ristretto255_sub(r, a, b)
                : Libsodium.crypto_core_ristretto255_add(r, a, b);
            return rc == 0;
        }
    }

    private static void CheckScalar(ReadOnlySpan<byte> scalar, string name) => CheckLength(scalar, ScalarSize, name);

    private static void CheckLength(ReadOnlySpan<byte> span, int length, string name)
    {
        if (span.Length != length)
        {
            throw new ArgumentException($"Expected {length} bytes, got {span.Length}.", name);
        }
    }
}
