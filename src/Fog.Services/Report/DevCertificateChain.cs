using System.Text;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Fog.Services.Report;

/// <summary>Settings of a development signing chain.</summary>
public sealed record DevChainOptions
{
    /// <summary>Start of every certificate's validity. Default: one hour ago.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>End of every certificate's validity. Default: 365 days from now.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>The root's common name. Default "Fog development authority".</summary>
    public string RootName { get; init; } = "Fog development authority";
}

/// <summary>
/// A development report-signing chain: a self-signed root CA → an intermediate CA → an Ed25519 leaf, every key Ed25519
/// (the reference's vectors use RSA above the leaf; any algorithm the verifier knows works). The root's SPKI is what
/// users put in their account keys as the fog authority; the leaf key signs report lists.
/// </summary>
/// <remarks>For development and tests only: the keys are generated here and written to disk unencrypted.</remarks>
public sealed class DevCertificateChain
{
    private DevCertificateChain(X509Certificate[] chain, Ed25519PrivateKeyParameters leafKey)
    {
        Certificates = chain;
        LeafKey = leafKey;
    }

    /// <summary>The certificates, leaf first, root last.</summary>
    public IReadOnlyList<X509Certificate> Certificates { get; }

    /// <summary>The chain as DER, leaf first.</summary>
    public IReadOnlyList<byte[]> ChainDer => Certificates.Select(c => c.GetEncoded()).ToList();

    /// <summary>The root's DER SubjectPublicKeyInfo (the fog authority SPKI).</summary>
    public byte[] RootSubjectPublicKeyInfo => Certificates[^1].CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded();

    /// <summary>The chain as PEM, leaf first (the report server's <c>--signing-chain</c>).</summary>
    public string ChainPem => ToPem(Certificates.Cast<object>());

    /// <summary>The leaf's private key as PKCS#8 PEM (the report server's <c>--signing-key</c>).</summary>
    public string LeafKeyPem => ToPem([new Pkcs8Generator(LeafKey).Generate()]);

    internal Ed25519PrivateKeyParameters LeafKey { get; }

    /// <summary>Creates a new chain with fresh keys.</summary>
    public static DevCertificateChain Create(DevChainOptions? options = null)
    {
        options ??= new DevChainOptions();
        var notBefore = (options.NotBefore ?? DateTimeOffset.UtcNow.AddHours(-1)).UtcDateTime;
        var notAfter = (options.NotAfter ?? DateTimeOffset.UtcNow.AddDays(365)).UtcDateTime;
        var random = new SecureRandom();
        var rootKey = NewKey(random);
        var intermediateKey = NewKey(random);
        var leafKey = NewKey(random);
        var rootName = new X509Name($"CN={options.RootName}");
        var intermediateName = new X509Name($"CN={options.RootName} intermediate");
        var leafName = new X509Name($"CN={options.RootName} report signer");

        var root = Issue(random, rootName, rootName, rootKey.Public, rootKey.Private, notBefore, notAfter, ca: true);
        var intermediate = Issue(random, intermediateName, rootName, intermediateKey.Public, rootKey.Private, notBefore, notAfter, ca: true);
        var leaf = Issue(random, leafName, intermediateName, leafKey.Public, intermediateKey.Private, notBefore, notAfter, ca: false);
        return new DevCertificateChain([leaf, intermediate, root], (Ed25519PrivateKeyParameters)leafKey.Private);
    }

    /// <summary>
    /// Writes <c>chain.pem</c> (leaf first), <c>signing-key.pem</c> (owner-only) and <c>authority-spki.hex</c> into
    /// <paramref name="directory"/>, refusing to overwrite an existing chain.
    /// </summary>
    /// <returns>The paths of the chain and the key.</returns>
    /// <exception cref="IOException">A file already exists.</exception>
    public (string ChainPath, string KeyPath, string SpkiPath) WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        var chainPath = Path.Combine(directory, "chain.pem");
        var keyPath = Path.Combine(directory, "signing-key.pem");
        var spkiPath = Path.Combine(directory, "authority-spki.hex");
        foreach (var path in new[] { chainPath, keyPath, spkiPath })
        {
            if (File.Exists(path))
            {
                throw new IOException($"'{Path.GetFullPath(path)}' already exists; remove it or choose another directory.");
            }
        }

        var keyOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            keyOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var key = new StreamWriter(new FileStream(keyPath, keyOptions), new UTF8Encoding(false)))
        {
            key.Write(LeafKeyPem);
        }

        File.WriteAllText(chainPath, ChainPem);
        File.WriteAllText(spkiPath, Convert.ToHexStringLower(RootSubjectPublicKeyInfo) + "\n");
        return (chainPath, keyPath, spkiPath);
    }

    private static AsymmetricCipherKeyPair NewKey(SecureRandom random)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(random));
        return generator.GenerateKeyPair();
    }

    private static X509Certificate Issue(
        SecureRandom random,
        X509Name subject,
        X509Name issuer,
        AsymmetricKeyParameter subjectKey,
        AsymmetricKeyParameter issuerKey,
        DateTime notBefore,
        DateTime notAfter,
        bool ca)
    {
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BigInteger(64, random).Add(BigInteger.One));
        generator.SetSubjectDN(subject);
        generator.SetIssuerDN(issuer);
        generator.SetNotBefore(notBefore);
        generator.SetNotAfter(notAfter);
        generator.SetPublicKey(subjectKey);
        generator.AddExtension(X509Extensions.BasicConstraints, true, ca ? new BasicConstraints(true) : new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(ca ? KeyUsage.KeyCertSign | KeyUsage.CrlSign : KeyUsage.DigitalSignature));
        return generator.Generate(new Asn1SignatureFactory("Ed25519", issuerKey, random));
    }

    private static string ToPem(IEnumerable<object> items)
    {
        using var text = new StringWriter();
        var writer = new PemWriter(text);
        foreach (var item in items)
        {
            writer.WriteObject(item);
        }

        writer.Writer.Flush();
        return text.ToString();
    }
}
