using System.Runtime.InteropServices;

namespace Fog.Crypto.Interop;

/// <summary>
/// P/Invoke bindings to the native libsodium that NSec.Cryptography ships. NSec does not wrap the
/// ristretto255 group, so these are bound directly. Call <see cref="Sodium.EnsureInitialized"/> before use.
/// </summary>
internal static unsafe partial class Libsodium
{
    private const string Library = "libsodium";

    internal const int RistrettoBytes = 32;
    internal const int RistrettoHashBytes = 64;
    internal const int RistrettoScalarBytes = 32;
    internal const int RistrettoNonReducedScalarBytes = 64;

    [LibraryImport(Library)]
    internal static partial int sodium_init();

    [LibraryImport(Library)]
    internal static partial nint sodium_version_string();

    [LibraryImport(Library)]
    internal static partial nuint crypto_core_ristretto255_bytes();

    [LibraryImport(Library)]
    internal static partial nuint crypto_core_ristretto255_scalarbytes();

    [LibraryImport(Library)]
    internal static partial nuint crypto_core_ristretto255_hashbytes();

    [LibraryImport(Library)]
    internal static partial int crypto_core_ristretto255_is_valid_point(byte* p);

    [LibraryImport(Library)]
    internal static partial int crypto_core_ristretto255_add(byte* r, byte* p, byte* q);

    [LibraryImport(Library)]
    internal static partial int crypto_core_ristretto255_sub(byte* r, byte* p, byte* q);

    [LibraryImport(Library)]
    internal static partial int crypto_core_ristretto255_from_hash(byte* p, byte* r);

    [LibraryImport(Library)]
    internal static partial void crypto_core_ristretto255_scalar_random(byte* r);

    [LibraryImport(Library)]
    internal static partial int crypto_core_ristretto255_scalar_invert(byte* recip, byte* s);

    [LibraryImport(Library)]
    internal static partial void crypto_core_ristretto255_scalar_negate(byte* neg, byte* s);

    [LibraryImport(Library)]
    internal static partial void crypto_core_ristretto255_scalar_add(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    internal static partial void crypto_core_ristretto255_scalar_sub(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    internal static partial void crypto_core_ristretto255_scalar_mul(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    internal static partial void crypto_core_ristretto255_scalar_reduce(byte* r, byte* s);

    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_ristretto255(byte* q, byte* n, byte* p);

    [LibraryImport(Library)]
    internal static partial int crypto_scalarmult_ristretto255_base(byte* q, byte* n);

    [LibraryImport(Library)]
    internal static partial void* sodium_malloc(nuint size);

    [LibraryImport(Library)]
    internal static partial void sodium_free(void* ptr);

    internal static string VersionString => Marshal.PtrToStringAnsi(sodium_version_string()) ?? "";
}
