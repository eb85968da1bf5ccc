using System.Security.Cryptography;

namespace Fog.Attestation;

/// <summary>
/// A small machine-local secret in a file: read if present, otherwise created from the secure random
/// generator with owner-only permissions (0600 on Unix). Not hardware-protected: anyone who can read
/// the file (root, a backup) has the secret.
/// </summary>
public static class SecretFile
{
    /// <summary>Reads or creates the secret into <paramref name="secret"/>, which the caller wipes.</summary>
    /// <exception cref="InvalidOperationException">The file has the wrong length or permissions other users could read.</exception>
    public static void LoadOrCreate(string path, Span<byte> secret, string purpose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            TryCreate(full, secret);
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(full);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new InvalidOperationException(
                    $"The {purpose} file '{full}' is readable or writable by other users (mode {Convert.ToString((int)mode, 8)}); restrict it to its owner (chmod 600).");
            }
        }

        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length != secret.Length)
        {
            throw new InvalidOperationException(
                $"The {purpose} file '{full}' holds {stream.Length} bytes; it must hold exactly {secret.Length}. Restore it from backup, or delete it to start over (everything it protects becomes unreadable).");
        }

        stream.ReadExactly(secret);
    }

    private static void TryCreate(string path, Span<byte> secret)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            RandomNumberGenerator.Fill(secret);
            stream.Write(secret);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; read theirs.
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
