using Fog.Attestation;
using Fog.Model.Addresses;

namespace Fog.Client.Reports;

/// <summary>Why a recipient's fog ingress key could not be resolved. Each is a distinct failure a sender may see.</summary>
public enum FogReportError
{
    /// <summary>The address has no fog report URL: pay it with a fake fog hint instead.</summary>
    NoFogReportUrl = 1,

    /// <summary>The address's fog report URL is not a fog:// or insecure-fog:// URL.</summary>
    InvalidFogReportUrl,

    /// <summary>The report server could not be reached or failed the call.</summary>
    ReportServerUnavailable,

    /// <summary>The report server answered with no reports.</summary>
    NoReports,

    /// <summary>The report server sent no certificate chain.</summary>
    EmptyCertificateChain,

    /// <summary>A certificate in the chain is not valid DER X.509.</summary>
    MalformedCertificate,

    /// <summary>A certificate in the chain is not yet valid.</summary>
    CertificateNotYetValid,

    /// <summary>A certificate in the chain has expired.</summary>
    CertificateExpired,

    /// <summary>A certificate is not issued (name and signature) by the next certificate, or that one is not a CA.</summary>
    BrokenCertificateChain,

    /// <summary>
    /// The chain does not end at a self-signed root, so it is not rooted at the fog authority the address names
    /// (whose SPKI the address's authority signature covers).
    /// </summary>
    ChainNotRooted,

    /// <summary>The leaf certificate's key is not Ed25519.</summary>
    LeafKeyNotEd25519,

    /// <summary>The address has a fog report URL but no fog authority signature.</summary>
    MissingAuthoritySignature,

    /// <summary>
    /// The address's fog authority signature does not verify over the SPKI of the chain's root: the address was signed
    /// for another authority (the server presents a chain rooted elsewhere), or the signature is not the address owner's.
    /// </summary>
    AuthoritySignatureInvalid,

    /// <summary>The leaf key's signature over the report list does not verify.</summary>
    ReportSignatureInvalid,

    /// <summary>No report has the address's fog report id.</summary>
    UnknownReportId,

    /// <summary>The selected report carries no attestation evidence.</summary>
    MissingEvidence,

    /// <summary>The evidence does not satisfy the ingest attestation policy (see <see cref="FogReportFailure.AttestError"/>).</summary>
    EvidenceRejected,

    /// <summary>The evidence's custom identity is not a valid ristretto255 public key.</summary>
    InvalidIngressKey,
}

/// <summary>A resolution failure: its kind, a sentence a person can act on, and the attestation error when evidence was refused.</summary>
/// <param name="Error">What failed.</param>
/// <param name="Message">Why, readably.</param>
/// <param name="AttestError">For <see cref="FogReportError.EvidenceRejected"/>, the verifier's typed error.</param>
public sealed record FogReportFailure(FogReportError Error, string Message, AttestError? AttestError = null)
{
    /// <inheritdoc />
    public override string ToString() => AttestError is null ? $"{Error}: {Message}" : $"{Error} ({AttestError.Code}): {Message}";
}

/// <summary>A <see cref="FogReportFailure"/> raised as an exception.</summary>
public sealed class FogReportException : Exception
{
    /// <summary>The exception for a failure.</summary>
    public FogReportException(FogReportFailure failure, Exception? innerException = null)
        : base(failure?.ToString(), innerException)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Failure = failure;
    }

    /// <summary>What failed.</summary>
    public FogReportFailure Failure { get; }

    /// <summary>The failure's kind.</summary>
    public FogReportError Error => Failure.Error;

    /// <summary>
    /// The address whose report could not be used, when known: payments set it, so a caller can tell the recipient's
    /// report from the sender's own (needed for the change) even when both use the same report server.
    /// </summary>
    public PublicAddress? Address { get; init; }
}
