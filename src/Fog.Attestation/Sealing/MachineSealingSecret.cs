using System.Security.Cryptography;
using NSec.Cryptography;

namespace Fog.Attestation.Sealing;

/// <summary>
/// The machine-local secret that sealing keys derive from: 32 random bytes in a file created with
/// owner-only permissions (0600) if missing, held in libsodium's guarded memory once loaded.
/// </summary>
/// <remarks>
/// NOT HARDWARE-PROTECTED. In SGX, sealing keys come from the CPU and no software can read them. Here
/// anyone who can read the secret file (root, a backup, a disk image) can unseal every blob sealed on
/// this machine for any measurement. Sealing still binds blobs to a measurement, so another enclave
/// build on the same machine cannot unseal them through this API.
/// </remarks>
public sealed class MachineSealingSecret : IDisposable
{
    /// <summary>Size of the secret.</summary>
    public const int SizeInBytes = 32;

    private readonly SharedSecret _secret;

    private MachineSealingSecret(SharedSecret secret) => _secret = secret;

    /// <summary>The secret's file, or null for an in-memory secret.</summary>
    public string? Path { get; private init; }

    internal SharedSecret Secret => _secret;

    /// <summary>Loads the secret from <paramref name="path"/>, creating it (mode 0600) if missing.</summary>
    /// <exception cref="InvalidOperationException">The file has the wrong size or is accessible to other users.</exception>
    public static MachineSealingSecret LoadOrCreate(string path)
    {
        Span<byte> bytes = stackalloc byte[SizeInBytes];
        try
        {
            SecretFile.LoadOrCreate(path, bytes, "sealing secret");
            return new MachineSealingSecret(SharedSecret.Import(bytes, SharedSecretBlobFormat.RawSharedSecret)) { Path = System.IO.Path.GetFullPath(path) };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>A fresh secret that exists only in memory (tests; blobs die with the process).</summary>
    public static MachineSealingSecret CreateEphemeral()
    {
        Span<byte> bytes = stackalloc byte[SizeInBytes];
        try
        {
            RandomNumberGenerator.Fill(bytes);
            return new MachineSealingSecret(SharedSecret.Import(bytes, SharedSecretBlobFormat.RawSharedSecret));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _secret.Dispose();

    /// <summary>Names the secret's file, never its bytes.</summary>
    public override string ToString() => Path is null ? "Machine sealing secret (in memory)" : $"Machine sealing secret ({Path})";
}
