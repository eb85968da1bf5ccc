using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Api.Attest;
using Google.Protobuf;
using NSec.Cryptography;

namespace Fog.Attestation.Evidence;

/// <summary>
/// Verifies Fog's simulated evidence against an <see cref="AttestationPolicy"/>: the quoting key's
/// endorsement by a trusted simulation root, the quote signature, the enclave identity (measurement,
/// signer, product id, security version, debug flag), the report-data hash, and that the evidence is
/// for the Noise static key the handshake authenticated.
/// </summary>
/// <remarks>
/// Simulated evidence is accepted only when the policy lists the root that endorsed its quoting key;
/// it then proves only that whoever runs the server holds that root's key.
/// </remarks>
public sealed class SimulatedEvidenceVerifier : IEvidenceVerifier
{
    private const int SignatureSizeInBytes = 64;
    private const int Ed25519PublicKeySizeInBytes = 32;

    /// <summary>Creates a verifier for a policy.</summary>
    public SimulatedEvidenceVerifier(AttestationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
    }

    /// <summary>The policy evidence is checked against.</summary>
    public AttestationPolicy Policy { get; }

    /// <inheritdoc />
    public bool TryVerify(
        ReadOnlySpan<byte> evidence,
        ReadOnlySpan<byte> remoteStaticPublicKey,
        [NotNullWhen(true)] out VerifiedEvidence? verified,
        [NotNullWhen(false)] out AttestError? error)
    {
        verified = null;
        if (!TryParse(evidence, FogEvidenceEnvelope.Parser, out var envelope))
        {
            return Fail(AttestErrorCode.MalformedEvidence, "The evidence is not a valid evidence envelope.", out error);
        }

        var simulated = envelope.FogSimulatedEvidence;
        if (simulated is null)
        {
            return envelope.CalculateSize() > 0
                ? Fail(AttestErrorCode.UnsupportedEvidence, "The evidence is not Fog simulated evidence (hardware DCAP or EPID evidence?); this verifier checks only simulated evidence.", out error)
                : Fail(AttestErrorCode.MalformedEvidence, "The evidence envelope is empty.", out error);
        }

        var quotingKey = simulated.QuotingKey;
        if (quotingKey is null
            || quotingKey.PublicKey.Length != Ed25519PublicKeySizeInBytes
            || quotingKey.RootPublicKey.Length != SimulationRoot.PublicKeySizeInBytes
            || quotingKey.RootSignature.Length != SignatureSizeInBytes
            || simulated.QuoteSignature.Length != SignatureSizeInBytes)
        {
            return Fail(AttestErrorCode.MalformedEvidence, "The simulated evidence lacks a well-formed quoting key, endorsement or quote signature.", out error);
        }

        if (!Policy.TrustsSimulation)
        {
            return Fail(AttestErrorCode.SimulationNotTrusted, "The enclave sent SIMULATED evidence and the policy trusts no simulation root (TrustedSimulationRoots is empty).", out error);
        }

        var root = quotingKey.RootPublicKey.Span;
        if (!IsTrustedRoot(root))
        {
            return Fail(AttestErrorCode.UntrustedRoot, $"The evidence is endorsed by simulation root {Convert.ToHexStringLower(root)}, which the policy does not trust.", out error);
        }

        if (!VerifyEd25519(root, [.. SimulationRoot.EndorsementDomain, .. quotingKey.PublicKey.Span], quotingKey.RootSignature.Span))
        {
            return Fail(AttestErrorCode.InvalidQuotingKeyEndorsement, "The simulation root's signature over the quoting key does not verify.", out error);
        }

        var quoteBytes = simulated.Quote.Span;
        if (!VerifyEd25519(quotingKey.PublicKey.Span, [.. SimulatedQuotingKey.QuoteDomain, .. quoteBytes], simulated.QuoteSignature.Span))
        {
            return Fail(AttestErrorCode.InvalidQuoteSignature, "The quoting key's signature over the quote does not verify.", out error);
        }

        if (!TryParse(quoteBytes, FogSimulatedQuote.Parser, out var quote)
            || quote.Measurement.Length != EnclaveMeasurement.SizeInBytes
            || quote.SignerId.Length != EnclaveSignerId.SizeInBytes
            || quote.ReportDataHash.Length != ReportData.HashSizeInBytes)
        {
            return Fail(AttestErrorCode.MalformedEvidence, "The signed quote is malformed.", out error);
        }

        if (quote.Tee != SimulatedQuotingProvider.TeeName)
        {
            return Fail(AttestErrorCode.NotSimulationQuote, $"The quote says its TEE is '{quote.Tee}', not '{SimulatedQuotingProvider.TeeName}'.", out error);
        }

        var measurement = EnclaveMeasurement.FromBytes(quote.Measurement.Span);
        if (!Policy.AcceptedMeasurements.Contains(measurement))
        {
            return Fail(AttestErrorCode.MeasurementNotAccepted, $"Enclave measurement {measurement.ToHex()} is not among the {Policy.AcceptedMeasurements.Count} the policy accepts.", out error);
        }

        var signer = EnclaveSignerId.FromBytes(quote.SignerId.Span);
        if (Policy.AcceptedSignerIds.Count > 0 && !Policy.AcceptedSignerIds.Contains(signer))
        {
            return Fail(AttestErrorCode.SignerNotAccepted, $"Enclave signer {signer.ToHex()} is not among the signers the policy accepts.", out error);
        }

        if (quote.ProductId != (uint)Policy.ProductId)
        {
            return Fail(AttestErrorCode.ProductIdMismatch, $"The enclave's product id is {quote.ProductId}; the policy expects {(int)Policy.ProductId} ({Policy.ProductId}).", out error);
        }

        if (quote.SecurityVersion < Policy.MinimumSecurityVersion)
        {
            return Fail(AttestErrorCode.SecurityVersionTooLow, $"The enclave's security version is {quote.SecurityVersion}; the policy requires at least {Policy.MinimumSecurityVersion}.", out error);
        }

        if (quote.SecurityVersion > ushort.MaxValue)
        {
            return Fail(AttestErrorCode.MalformedEvidence, "The quote's security version does not fit 16 bits.", out error);
        }

        if (quote.Debug && !Policy.AllowDebug)
        {
            return Fail(AttestErrorCode.DebugNotAllowed, "The enclave runs in DEBUG mode and the policy does not allow debug enclaves.", out error);
        }

        var contents = simulated.ReportData;
        if (contents is null
            || contents.Nonce.Length != ReportData.NonceSizeInBytes
            || contents.Key.Length != ReportData.KeySizeInBytes
            || contents.CustomIdentity.Length is not (0 or ReportData.CustomIdentitySizeInBytes))
        {
            return Fail(AttestErrorCode.MalformedEvidence, "The report-data contents are missing or have the wrong sizes.", out error);
        }

        var hash = ReportData.Hash(contents.Nonce.Span, contents.Key.Span, contents.CustomIdentity.Span);
        if (!CryptographicOperations.FixedTimeEquals(hash, quote.ReportDataHash.Span))
        {
            return Fail(AttestErrorCode.ReportDataMismatch, "The report-data contents do not hash to the report data the quote signs.", out error);
        }

        if (!CryptographicOperations.FixedTimeEquals(contents.Key.Span, remoteStaticPublicKey))
        {
            return Fail(
                AttestErrorCode.RemoteKeyMismatch,
                "The evidence is for another Noise static key than the one this handshake authenticated: the handshake was relayed or the evidence copied from another enclave.",
                out error);
        }

        var identity = new EnclaveIdentity(measurement, signer, Policy.ProductId, (ushort)quote.SecurityVersion, quote.Debug);
        verified = new VerifiedEvidence(identity, contents.CustomIdentity.ToByteArray(), IsSimulation: true);
        error = null;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"Simulated evidence verifier: {Policy}";

    private static bool Fail(AttestErrorCode code, string message, out AttestError error)
    {
        error = new AttestError(code, message);
        return false;
    }

    private static bool TryParse<T>(ReadOnlySpan<byte> bytes, MessageParser<T> parser, [NotNullWhen(true)] out T? message)
        where T : class, IMessage<T>
    {
        try
        {
            message = parser.ParseFrom(bytes);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            message = null;
            return false;
        }
    }

    private static bool VerifyEd25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
        && SignatureAlgorithm.Ed25519.Verify(key!, data, signature);

    private bool IsTrustedRoot(ReadOnlySpan<byte> root)
    {
        foreach (var trusted in Policy.TrustedSimulationRoots)
        {
            if (root.SequenceEqual(trusted))
            {
                return true;
            }
        }

        return false;
    }
}
