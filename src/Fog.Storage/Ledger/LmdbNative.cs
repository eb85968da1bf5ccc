using System.Reflection;
using System.Runtime.InteropServices;
using LightningDB;

namespace Fog.Storage.Ledger;

/// <summary>
/// Finds a loadable native LMDB for LightningDB. The package's own liblmdb.so needs glibc 2.38; on older systems
/// (Debian 12 has 2.36) the system's LMDB (Debian/Ubuntu package liblmdb0) is used instead. Failing both, the error says
/// what to install.
/// </summary>
internal static class LmdbNative
{
    private static readonly Lazy<bool> Registered = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The library actually loaded (for diagnostics), once LMDB has been used.</summary>
    internal static string? LoadedFrom { get; private set; }

    /// <summary>Installs the resolver (once) before the first LMDB call.</summary>
    internal static void EnsureResolver() => _ = Registered.Value;

    private static IntPtr _handle;

    private static bool Register()
    {
        // Load now, so a missing library is a clear error here rather than a failure inside LightningDB's constructors
        // (whose finalizers then bring the process down).
        _handle = Resolve("lmdb", typeof(LightningEnvironment).Assembly, null);
        NativeLibrary.SetDllImportResolver(typeof(LightningEnvironment).Assembly, (name, _, _) => name == "lmdb" ? _handle : IntPtr.Zero);
        return true;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != "lmdb")
        {
            return IntPtr.Zero;
        }

        string? bundledError = null;
        try
        {
            var handle = NativeLibrary.Load(libraryName, assembly, searchPath);
            LoadedFrom = "bundled liblmdb";
            return handle;
        }
        catch (DllNotFoundException e)
        {
            bundledError = e.Message;
        }

        foreach (var candidate in new[] { "liblmdb.so.0", "liblmdb.so", "liblmdb.dylib" })
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                LoadedFrom = candidate;
                return handle;
            }
        }

        throw new DllNotFoundException(
            "Cannot load the native LMDB library. The bundled one did not load (" + FirstLine(bundledError) + "), and no system LMDB was found. " +
            "Install LMDB (Debian/Ubuntu: apt-get install liblmdb0; Fedora: dnf install lmdb-libs; macOS: brew install lmdb) and try again.");
    }

    private static string FirstLine(string? text) => text?.Split('\n')[0].Trim() ?? "unknown error";
}
