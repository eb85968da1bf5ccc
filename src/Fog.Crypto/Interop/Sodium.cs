namespace Fog.Crypto.Interop;

/// <summary>
/// One-time initialisation of libsodium with a start-up self-test: the native library must be the one we
/// expect (ristretto255 present, with the sizes this code assumes) before any key touches it.
/// </summary>
internal static class Sodium
{
    private static readonly Lazy<bool> Initialized = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Initialises libsodium once; throws if the native library is missing or not as expected.</summary>
    internal static void EnsureInitialized()
    {
        _ = Initialized.Value;
    }

    private static bool Initialize()
    {
        // NSec loads the same library; sodium_init is idempotent (returns 1 when already initialised).
        if (Libsodium.sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise.");
        }

        if (Libsodium.crypto_core_ristretto255_bytes() != Libsodium.RistrettoBytes ||
            Libsodium.crypto_core_ristretto255_scalarbytes() != Libsodium.RistrettoScalarBytes ||
            Libsodium.crypto_core_ristretto255_hashbytes() != Libsodium.RistrettoHashBytes)
        {
            throw new InvalidOperationException(
                $"libsodium {Libsodium.VersionString} does not have the ristretto255 sizes this code requires.");
        }

        return true;
    }

    /// <summary>The native libsodium version, e.g. "1.0.22".</summary>
    internal static string Version
    {
        get
        {
            EnsureInitialized();
            return Libsodium.VersionString;
        }
    }
}
