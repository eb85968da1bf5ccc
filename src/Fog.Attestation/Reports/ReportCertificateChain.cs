using System.Diagnostics.CodeAnalysis;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.X509;

namespace Fog.Attestation.Reports;

/// <summary>Why a report server's certificate chain was refused.</summary>
public enum ChainFailure
{
    /// <summary>The chain has no certificate.</summary>
    Empty = 1,

    /// <summary>A certificate is not valid DER X.509.</summary>
    Malformed,

    /// <summary>A certificate's validity period has not started.</summary>
    NotYetValid,

    /// <summary>A certificate's validity period is over.</summary>
    Expired,

    /// <summary>A certificate is not issued (name and signature) by the next one, or the next one is not a CA.</summary>
    BrokenLink,

    /// <summary>The last certificate is not a self-signed root.</summary>
    NotRooted,

    /// <summary>The leaf's key is not Ed25519.</summary>
    LeafNotEd25519,
}

/// <summary>A chain that verified: what the report checks need from it.</summary>
/// <param name="RootSubjectPublicKeyInfo">The root's DER SubjectPublicKeyInfo, which fog authority signatures cover.</param>
/// <param name="RootSubject">The root's subject name (for messages).</param>
/// <param name="LeafEd25519PublicKey">The leaf's raw 32-byte Ed25519 key, which signs the reports.</param>
public sealed record VerifiedReportChain(byte[] RootSubjectPublicKeyInfo, string RootSubject, byte[] LeafEd25519PublicKey);

/// <summary>
/// Verifies a report server's X.509 chain, leaf first and root last (ledger-and-report.md §4.3, §8): every certificate
/// parses and is valid at the given time; each is issued by the next (issuer name and signature), which must be a CA;
/// the last is self-signed; the leaf's key is Ed25519.
/// </summary>
/// <remarks>Used by senders (Fog.Client) and by the report server, which checks its own chain at start-up.</remarks>
public static class ReportCertificateChain
{
    /// <summary>Verifies <paramref name="chain"/> at <paramref name="now"/>; on failure says why in a sentence.</summary>
    public static bool TryVerify(
        IReadOnlyList<ReadOnlyMemory<byte>> chain,
        DateTimeOffset now,
        [NotNullWhen(true)] out VerifiedReportChain? verified,
        out ChainFailure failure,
        [NotNullWhen(false)] out string? message)
    {
        verified = null;
        failure = default;
        if (chain.Count == 0)
        {
            return Fail(ChainFailure.Empty, "The report server sent no certificate chain.", out failure, out message);
        }

        var certificates = new X509Certificate[chain.Count];
        var parser = new X509CertificateParser();
        for (var i = 0; i < chain.Count; i++)
        {
            X509Certificate? certificate = null;
            try
            {
                certificate = parser.ReadCertificate(chain[i].ToArray());
            }
            catch (Exception e) when (e is Org.BouncyCastle.Security.Certificates.CertificateException or IOException or ArgumentException or InvalidOperationException or Org.BouncyCastle.Asn1.Asn1Exception)
            {
            }

            if (certificate is null)
            {
                return Fail(ChainFailure.Malformed, $"Certificate {i} of the chain is not a DER X.509 certificate.", out failure, out message);
            }

            certificates[i] = certificate;
        }

        var at = now.UtcDateTime;
        for (var i = 0; i < certificates.Length; i++)
        {
            var certificate = certificates[i];
            if (at < certificate.NotBefore.ToUniversalTime())
            {
                return Fail(ChainFailure.NotYetValid, $"Certificate {i} ('{certificate.SubjectDN}') is not valid before {certificate.NotBefore.ToUniversalTime():O}.", out failure, out message);
            }

            if (at > certificate.NotAfter.ToUniversalTime())
            {
                return Fail(ChainFailure.Expired, $"Certificate {i} ('{certificate.SubjectDN}') expired at {certificate.NotAfter.ToUniversalTime():O}.", out failure, out message);
            }
        }

        for (var i = 0; i + 1 < certificates.Length; i++)
        {
            var (subject, issuer) = (certificates[i], certificates[i + 1]);
            if (!subject.IssuerDN.Equivalent(issuer.SubjectDN) || !SignedBy(subject, issuer))
            {
                return Fail(ChainFailure.BrokenLink, $"Certificate {i} ('{subject.SubjectDN}') is not issued by certificate {i + 1} ('{issuer.SubjectDN}').", out failure, out message);
            }

            if (issuer.GetBasicConstraints() < 0)
            {
                return Fail(ChainFailure.BrokenLink, $"Certificate {i + 1} ('{issuer.SubjectDN}') issues certificate {i} but is not a CA.", out failure, out message);
            }
        }

        var root = certificates[^1];
        if (!root.IssuerDN.Equivalent(root.SubjectDN) || !SignedBy(root, root))
        {
            return Fail(
                ChainFailure.NotRooted,
                $"The chain ends at '{root.SubjectDN}', issued by '{root.IssuerDN}': it is not a self-signed root, so it cannot be the fog authority an address names (a certificate is missing).",
                out failure,
                out message);
        }

        if (certificates[0].GetPublicKey() is not Ed25519PublicKeyParameters leafKey)
        {
            return Fail(ChainFailure.LeafNotEd25519, $"The leaf certificate ('{certificates[0].SubjectDN}') has a {certificates[0].SigAlgName}-family key; report signatures need an Ed25519 leaf.", out failure, out message);
        }

        verified = new VerifiedReportChain(root.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded(), root.SubjectDN.ToString(), leafKey.GetEncoded());
        message = null;
        return true;
    }

    private static bool SignedBy(X509Certificate subject, X509Certificate issuer)
    {
        try
        {
            return subject.IsSignatureValid(issuer.GetPublicKey());
        }
        catch (Exception e) when (e is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.Certificates.CertificateException or ArgumentException or InvalidOperationException or Org.BouncyCastle.Security.SecurityUtilityException)
        {
            return false;
        }
    }

    private static bool Fail(ChainFailure code, string text, out ChainFailure failure, out string message)
    {
        failure = code;
        message = text;
        return false;
    }
}
