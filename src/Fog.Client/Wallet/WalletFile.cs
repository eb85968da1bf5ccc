using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fog.Client.Balance;
using Fog.Model.Keys;
using NSec.Cryptography;

namespace Fog.Client.Wallet;

/// <summary>What a wallet file holds (encrypted): the account's mnemonic and fog settings, and the client state.</summary>
public sealed class WalletContents
{
    /// <summary>The BIP-39 mnemonic (the account's root secret).</summary>
    public string Mnemonic { get; set; } = "";

    /// <summary>The BIP-39 account index.</summary>
    public uint AccountIndex { get; set; }

    /// <summary>The fog report URL the account's addresses carry, or empty for no fog.</summary>
    public string FogReportUrl { get; set; } = "";

    /// <summary>The fog report id.</summary>
    public string FogReportId { get; set; } = "";

    /// <summary>The fog operator's root certificate SPKI (hex) the addresses' authority signature covers.</summary>
    public string FogAuthoritySpki { get; set; } = "";

    /// <summary>Named contacts (name → B58 address), to show senders and recipients by name.</summary>
    public Dictionary<string, string> Contacts { get; set; } = [];

    /// <summary>The client state (cursor, RNGs, owned outputs).</summary>
    public FogClientState State { get; set; } = new();

    /// <summary>The account key these contents describe (a new object each call; dispose it).</summary>
    public AccountKey CreateAccountKey()
    {
        FogInfo? fog = FogReportUrl.Length == 0 ? null : new FogInfo(FogReportUrl, FogReportId, Convert.FromHexString(FogAuthoritySpki));
        return AccountKey.FromMnemonic(Mnemonic, AccountIndex, fog);
    }
}

/// <summary>Why a wallet file could not be opened.</summary>
public enum WalletFileError
{
    /// <summary>Opened.</summary>
    None,

    /// <summary>No file at the path.</summary>
    NotFound,

    /// <summary>The passphrase is wrong (or the file was altered).</summary>
    WrongPassphraseOrTampered,

    /// <summary>The file is not a Fog wallet, or not a version this build reads.</summary>
    UnknownFormat,
}

/// <summary>
/// A wallet file: the contents as JSON, encrypted with AES-256-GCM under a key derived from a passphrase with Argon2id
/// (memory-hard: 64 MiB, 3 passes). Written atomically (a temporary file renamed over the old one) with owner-only
/// permissions, so a crash never leaves a half-written wallet.
/// </summary>
public static class WalletFile
{
    /// <summary>The format name written in every file.</summary>
    public const string Format = "fog-wallet-1";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>Encrypts and writes <paramref name="contents"/> to <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be written; an existing file at <paramref name="path"/> is left as it was.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable; nothing is changed.</exception>
    public static void Save(string path, WalletContents contents, string passphrase, Argon2Parameters? kdf = null)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(passphrase);
        var parameters = kdf ?? DefaultKdf;
        var salt = RandomNumberGenerator.GetBytes(16);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(contents, Json);
        var key = DeriveKey(passphrase, salt, parameters);
        try
        {
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[16];
            using (var aes = new AesGcm(key, 16))
            {
                aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(Format));
            }

            var envelope = new Envelope
            {
                Format = Format,
                Kdf = new KdfSettings { Name = "argon2id", MemoryKiB = parameters.MemorySize, Passes = parameters.NumberOfPasses, Parallelism = parameters.DegreeOfParallelism, Salt = Convert.ToBase64String(salt) },
                Nonce = Convert.ToBase64String(nonce),
                Ciphertext = Convert.ToBase64String([.. ciphertext, .. tag]),
            };
            WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(envelope, Json));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Reads and decrypts a wallet file; on failure <paramref name="error"/> says why.</summary>
    public static WalletContents? TryLoad(string path, string passphrase, out WalletFileError error)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        if (!File.Exists(path))
        {
            error = WalletFileError.NotFound;
            return null;
        }

        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException)
        {
            envelope = null;
        }

        // Bound the KDF settings a file may ask for, so a corrupt or hostile file cannot exhaust memory or time.
        if (envelope is not { Format: Format, Kdf: { Name: "argon2id", MemoryKiB: >= 8 and <= 4 * 1024 * 1024, Passes: >= 1 and <= 64, Parallelism: >= 1 and <= 16 } } ||
            !TryDecode(envelope, out var salt, out var nonce, out var sealedBytes) || sealedBytes.Length < 16)
        {
            error = WalletFileError.UnknownFormat;
            return null;
        }

        var parameters = new Argon2Parameters { MemorySize = envelope.Kdf.MemoryKiB, NumberOfPasses = envelope.Kdf.Passes, DegreeOfParallelism = envelope.Kdf.Parallelism };
        var key = DeriveKey(passphrase, salt, parameters);
        var plaintext = new byte[sealedBytes.Length - 16];
        try
        {
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(nonce, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length), plaintext, Encoding.ASCII.GetBytes(Format));
            error = WalletFileError.None;
            return JsonSerializer.Deserialize<WalletContents>(plaintext, Json);
        }
        catch (AuthenticationTagMismatchException)
        {
            error = WalletFileError.WrongPassphraseOrTampered;
            return null;
        }
        catch (JsonException)
        {
            error = WalletFileError.UnknownFormat;
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Argon2id with 64 MiB and 3 passes (OWASP's first recommendation).</summary>
    public static Argon2Parameters DefaultKdf => new() { MemorySize = 64 * 1024, NumberOfPasses = 3, DegreeOfParallelism = 1 };

    private static byte[] DeriveKey(string passphrase, byte[] salt, Argon2Parameters parameters) =>
        PasswordBasedKeyDerivationAlgorithm.Argon2id(parameters).DeriveBytes(passphrase, salt, 32);

    private static bool TryDecode(Envelope envelope, out byte[] salt, out byte[] nonce, out byte[] ciphertext)
    {
        try
        {
            salt = Convert.FromBase64String(envelope.Kdf!.Salt);
            nonce = Convert.FromBase64String(envelope.Nonce);
            ciphertext = Convert.FromBase64String(envelope.Ciphertext);
            return salt.Length == 16 && nonce.Length == 12;
        }
        catch (FormatException)
        {
            (salt, nonce, ciphertext) = ([], [], []);
            return false;
        }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            // The old file (if any) is untouched; leave no partial copy next to it.
            File.Delete(temporary);
            throw;
        }
    }

    private sealed class Envelope
    {
        public string Format { get; set; } = "";

        public KdfSettings? Kdf { get; set; }

        public string Nonce { get; set; } = "";

        public string Ciphertext { get; set; } = "";
    }

    private sealed class KdfSettings
    {
        public string Name { get; set; } = "";

        public long MemoryKiB { get; set; }

        public long Passes { get; set; }

        public int Parallelism { get; set; }

        public string Salt { get; set; } = "";
    }
}
