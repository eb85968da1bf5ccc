using Fog.Attestation.Reports;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;
using BcX509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace Fog.Services.Report;

/// <summary>
/// The report server's signing chain (DER X.509, leaf first, root last) and the leaf's Ed25519 private key, checked
/// at load: the chain verifies now (links, validity, self-signed root, Ed25519 leaf) and the key is the leaf's
/// (ledger-and-report.md §4.3).
/// </summary>
public sealed class ReportSigningMaterial : IDisposable
{
    private readonly Key _key;

    private ReportSigningMaterial(IReadOnlyList<byte[]> chain, Key key, byte[] rootSpki, string rootSubject, DateTime notAfter)
    {
        Chain = chain;
        _key = key;
        RootSubjectPublicKeyInfo = rootSpki;
        RootSubject = rootSubject;
        NotAfter = notAfter;
    }

    /// <summary>The chain as DER certificates, leaf first.</summary>
    public IReadOnlyList<byte[]> Chain { get; }

    /// <summary>The root's DER SubjectPublicKeyInfo: what users' account keys hold as the fog authority SPKI.</summary>
    public byte[] RootSubjectPublicKeyInfo { get; }

    /// <summary>The root's subject name.</summary>
    public string RootSubject { get; }

    /// <summary>When the first certificate of the chain expires (UTC).</summary>
    public DateTime NotAfter { get; }

    /// <summary>Loads PEM files: the chain (leaf first) and the leaf's PKCS#8 Ed25519 private key.</summary>
    /// <exception cref="InvalidOperationException">A file is missing or unreadable, the chain does not verify, or the key is not the leaf's.</exception>
    public static ReportSigningMaterial Load(string chainPemPath, string keyPemPath, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(chainPemPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPemPath);
        foreach (var (path, what) in new[] { (chainPemPath, "signing chain"), (keyPemPath, "signing key") })
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"The {what} file '{Path.GetFullPath(path)}' does not exist (`fog report dev-chain` creates a development chain).");
            }
        }

        return FromPem(File.ReadAllText(chainPemPath), File.ReadAllText(keyPemPath), now);
    }

    /// <summary>Loads from PEM text (see <see cref="Load"/>).</summary>
    /// <exception cref="InvalidOperationException">The chain does not verify, or the key is not the leaf's.</exception>
    public static ReportSigningMaterial FromPem(string chainPem, string keyPem, DateTimeOffset now)
    {
        var chain = new List<byte[]>();
        var notAfter = DateTime.MaxValue;
        using (var reader = new PemReader(new StringReader(chainPem ?? "")))
        {
            object? item;
            while ((item = ReadPem(reader, "signing chain")) is not null)
            {
                if (item is not BcX509Certificate certificate)
                {
                    throw new InvalidOperationException($"The signing chain holds a {item.GetType().Name}; it must hold only certificates, leaf first.");
                }

                chain.Add(certificate.GetEncoded());
                notAfter = certificate.NotAfter.ToUniversalTime() < notAfter ? certificate.NotAfter.ToUniversalTime() : notAfter;
            }
        }

        if (!ReportCertificateChain.TryVerify(chain.Select(c => (ReadOnlyMemory<byte>)c).ToList(), now, out var verified, out _, out var message))
        {
            throw new InvalidOperationException($"The signing chain does not verify: {message}");
        }

        byte[] seed;
        using (var reader = new PemReader(new StringReader(keyPem ?? "")))
        {
            var item = ReadPem(reader, "signing key");
            seed = item switch
            {
                Ed25519PrivateKeyParameters key => key.GetEncoded(),
                AsymmetricCipherKeyPair { Private: Ed25519PrivateKeyParameters key } => key.GetEncoded(),
                null => throw new InvalidOperationException("The signing key file holds no PEM key."),
                _ => throw new InvalidOperationException($"The signing key is a {item.GetType().Name}; it must be an Ed25519 private key (PKCS#8 PEM)."),
            };
        }

        var signingKey = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
        if (!signingKey.PublicKey.Export(KeyBlobFormat.RawPublicKey).AsSpan().SequenceEqual(verified.LeafEd25519PublicKey))
        {
            signingKey.Dispose();
            throw new InvalidOperationException("The signing key is not the leaf certificate's key (ChainKeyMismatch): give the private key of the chain's first certificate.");
        }

        return new ReportSigningMaterial(chain, signingKey, verified.RootSubjectPublicKeyInfo, verified.RootSubject, notAfter);
    }

    /// <summary>The Ed25519 signature of <paramref name="message"/> by the leaf key.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_key, message);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private static object? ReadPem(PemReader reader, string what)
    {
        try
        {
            return reader.ReadObject();
        }
        catch (Exception e) when (e is IOException or PemException or ArgumentException or InvalidOperationException or Org.BouncyCastle.Security.Certificates.CertificateException)
        {
            throw new InvalidOperationException($"The {what} is not valid PEM: {e.Message}", e);
        }
    }
}
