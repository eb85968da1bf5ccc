using System.Security.Cryptography;
using System.Text;
using Fog.Api.Attest;
using Google.Protobuf;
using NSec.Cryptography;

namespace Fog.Attestation.Evidence;

/// <summary>
/// The root of trust of simulation mode: an Ed25519 key that endorses quoting keys. Verifiers accept
/// simulated evidence only when their policy lists this root's public key.
/// </summary>
/// <remarks>
/// SIMULATION ONLY. Whoever holds the root's private key (or can read its file) can forge evidence
/// for any enclave; it protects against nothing a host administrator can do.
/// </remarks>
public sealed class SimulationRoot : IDisposable
{
    /// <summary>Size of the root's public key.</summary>
    public const int PublicKeySizeInBytes = 32;

    internal static readonly byte[] EndorsementDomain = Encoding.ASCII.GetBytes("Fog simulated quoting key v1");

    private readonly Key _key;
    private readonly byte[] _publicKey;

    private SimulationRoot(Key key)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The root's 32-byte Ed25519 public key: what a verifier's policy lists.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The public key in hexadecimal, as it appears in configuration.</summary>
    public string PublicKeyHex => Convert.ToHexStringLower(_publicKey);

    /// <summary>A fresh root held only in memory (tests, single-process demos).</summary>
    public static SimulationRoot Generate() => new(Key.Create(SignatureAlgorithm.Ed25519));

    /// <summary>
    /// Loads the root's 32-byte private seed from <paramref name="path"/>, creating it (mode 0600) if
    /// missing, so that several processes on one machine share one root.
    /// </summary>
    public static SimulationRoot LoadOrCreate(string path)
    {
        Span<byte> seed = stackalloc byte[32];
        try
        {
            SecretFile.LoadOrCreate(path, seed, "simulation root key");
            return new SimulationRoot(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Creates a quoting key endorsed by this root. The caller owns (and disposes) it.</summary>
    public SimulatedQuotingKey IssueQuotingKey()
    {
        var key = Key.Create(SignatureAlgorithm.Ed25519);
        var quotingPublic = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var endorsement = SignatureAlgorithm.Ed25519.Sign(_key, [.. EndorsementDomain, .. quotingPublic]);
        var certificate = new FogSimulatedQuotingKey
        {
            PublicKey = ByteString.CopyFrom(quotingPublic),
            RootPublicKey = ByteString.CopyFrom(_publicKey),
            RootSignature = ByteString.CopyFrom(endorsement),
        };
        return new SimulatedQuotingKey(key, certificate);
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    /// <summary>Names the root by its public key only.</summary>
    public override string ToString() => $"Simulation root {PublicKeyHex}";
}

/// <summary>A simulated quoting key with its root's endorsement. SIMULATION ONLY.</summary>
public sealed class SimulatedQuotingKey : IDisposable
{
    internal static readonly byte[] QuoteDomain = Encoding.ASCII.GetBytes("Fog simulated quote v1");

    private readonly Key _key;

    internal SimulatedQuotingKey(Key key, FogSimulatedQuotingKey certificate)
    {
        _key = key;
        Certificate = certificate;
    }

    /// <summary>The public key and its endorsement, as carried in evidence.</summary>
    internal FogSimulatedQuotingKey Certificate { get; }

    /// <summary>The root that endorsed this key.</summary>
    public ReadOnlySpan<byte> RootPublicKey => Certificate.RootPublicKey.Span;

    internal byte[] SignQuote(ReadOnlySpan<byte> quote) => SignatureAlgorithm.Ed25519.Sign(_key, [.. QuoteDomain, .. quote]);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"Simulated quoting key {Convert.ToHexStringLower(Certificate.PublicKey.Span)}";
}
