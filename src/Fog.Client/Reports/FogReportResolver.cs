using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Fog.Api.Attest;
using Fog.Api.Report;
using Fog.Attestation.Evidence;
using Fog.Attestation.Reports;
using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using NSec.Cryptography;

namespace Fog.Client.Reports;

/// <summary>A recipient's validated fog ingress key: what a sender encrypts the fog hint to.</summary>
/// <param name="IngressPublicKey">The ingest enclave's ingress public key.</param>
/// <param name="PubkeyExpiry">The last block at which the key may be used: the transaction's tombstone block must not exceed it.</param>
public sealed record ValidatedFogPubkey(RistrettoPublic IngressPublicKey, ulong PubkeyExpiry);

/// <summary>
/// The sender side of fog reports (ledger-and-report.md §4.4): fetches a recipient's report list from the server its
/// address names, and accepts the ingress key only if the server's X.509 chain verifies, the address's fog authority
/// signature covers the chain root's SPKI, the leaf's Ed25519 signature covers the report list, the report with the
/// address's id exists, and its attestation evidence satisfies the ingest enclave policy with the ingress key as
/// custom identity. A DNS hijacker can therefore not make a sender use another key.
/// </summary>
/// <example>
/// <code>
/// using var resolver = new FogReportResolver(ingestPolicy);                 // measurements, product Ingest, trusted roots
/// ValidatedFogPubkey key = await resolver.ResolveAsync(recipientAddress);  // throws FogReportException (.Error) on failure
/// var hint = FogHint.Encrypt(key.IngressPublicKey, recipientAddress.ViewPublicKey);
/// tombstone = Math.Min(tombstone, key.PubkeyExpiry);
/// </code>
/// </example>
public sealed class FogReportResolver : IDisposable
{
    private readonly SimulatedEvidenceVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<FogUri, GrpcChannel> _channels = new();

    /// <summary>A resolver that accepts ingest enclaves matching <paramref name="ingestPolicy"/>.</summary>
    /// <param name="ingestPolicy">What the ingest enclave must prove: its product id must be <see cref="EnclaveProductId.Ingest"/>.</param>
    /// <param name="timeProvider">The clock certificates are checked against; default the system clock.</param>
    public FogReportResolver(AttestationPolicy ingestPolicy, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(ingestPolicy);
        if (ingestPolicy.ProductId != EnclaveProductId.Ingest)
        {
            throw new ArgumentException($"A fog report resolver checks ingest enclaves; the policy is for {ingestPolicy.ProductId}.", nameof(ingestPolicy));
        }

        _verifier = new SimulatedEvidenceVerifier(ingestPolicy);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Fetches the recipient's reports and validates them (see the class remarks).</summary>
    /// <exception cref="FogReportException">Anything failed; <see cref="FogReportException.Error"/> says what.</exception>
    public async Task<ValidatedFogPubkey> ResolveAsync(PublicAddress recipient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var uri = UriOf(recipient);
        var response = await FetchAsync(uri, cancellationToken).ConfigureAwait(false);
        return Validate(recipient, response);
    }

    /// <summary>Calls <c>report.ReportAPI/GetReports</c> on <paramref name="uri"/>.</summary>
    /// <exception cref="FogReportException"><see cref="FogReportError.ReportServerUnavailable"/> or <see cref="FogReportError.NoReports"/>.</exception>
    public async Task<ReportResponse> FetchAsync(FogUri uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var channel = _channels.GetOrAdd(uri, u => GrpcChannel.ForAddress(u.GrpcAddress));
        ReportResponse response;
        try
        {
            response = await new ReportAPI.ReportAPIClient(channel).GetReportsAsync(new ReportRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            throw new FogReportException(new FogReportFailure(FogReportError.ReportServerUnavailable, $"The fog report server {uri} answered {e.StatusCode}: {e.Status.Detail}"), e);
        }

        if (response.Reports.Count == 0)
        {
            throw new FogReportException(new FogReportFailure(FogReportError.NoReports, $"The fog report server {uri} has no reports (its ingest server may not be active yet)."));
        }

        return response;
    }

    /// <summary>Validates a fetched response for <paramref name="recipient"/> (offline: no network).</summary>
    /// <exception cref="FogReportException">Anything failed; <see cref="FogReportException.Error"/> says what.</exception>
    public ValidatedFogPubkey Validate(PublicAddress recipient, ReportResponse response) =>
        TryValidate(recipient, response, out var pubkey, out var failure) ? pubkey : throw new FogReportException(failure);

    /// <summary>Validates a fetched response for <paramref name="recipient"/>; never throws for bad input.</summary>
    public bool TryValidate(PublicAddress recipient, ReportResponse response, [NotNullWhen(true)] out ValidatedFogPubkey? pubkey, [NotNullWhen(false)] out FogReportFailure? failure)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(response);
        pubkey = null;
        if (!recipient.HasFog)
        {
            return Fail(FogReportError.NoFogReportUrl, "The address has no fog report URL; pay it with a fake fog hint.", out failure);
        }

        if (!FogUri.TryParse(recipient.FogReportUrl, out _, out var uriError))
        {
            return Fail(FogReportError.InvalidFogReportUrl, $"The address's fog report URL is invalid: {uriError}.", out failure);
        }

        if (response.Reports.Count == 0)
        {
            return Fail(FogReportError.NoReports, "The response holds no reports.", out failure);
        }

        // 1. The server's chain.
        var chain = response.Chain.Select(c => c.Memory).ToList();
        if (!ReportCertificateChain.TryVerify(chain, _time.GetUtcNow(), out var verified, out var chainFailure, out var chainMessage))
        {
            var error = chainFailure switch
            {
                ChainFailure.Empty => FogReportError.EmptyCertificateChain,
                ChainFailure.Malformed => FogReportError.MalformedCertificate,
                ChainFailure.NotYetValid => FogReportError.CertificateNotYetValid,
                ChainFailure.Expired => FogReportError.CertificateExpired,
                ChainFailure.BrokenLink => FogReportError.BrokenCertificateChain,
                ChainFailure.NotRooted => FogReportError.ChainNotRooted,
                _ => FogReportError.LeafKeyNotEd25519,
            };
            return Fail(error, chainMessage, out failure);
        }

        // 2. The address names the chain's root as its fog authority.
        if (recipient.FogAuthoritySig.IsEmpty)
        {
            return Fail(FogReportError.MissingAuthoritySignature, "The address has a fog report URL but no fog authority signature.", out failure);
        }

        if (!recipient.VerifyFogAuthoritySignature(verified.RootSubjectPublicKeyInfo))
        {
            return Fail(
                FogReportError.AuthoritySignatureInvalid,
                $"The address's fog authority signature does not cover the key of the chain's root '{verified.RootSubject}': the server's chain is rooted at another authority than the one the address was signed for, or the signature is not the address owner's.",
                out failure);
        }

        // 3. The leaf signed this report list.
        var digest = ReportDigest.Compute(response.Reports);
        if (!VerifyEd25519(verified.LeafEd25519PublicKey, digest, response.Signature.Span))
        {
            return Fail(FogReportError.ReportSignatureInvalid, "The leaf certificate's signature over the report list does not verify: the reports were altered or signed by another key.", out failure);
        }

        // 4. The recipient's report.
        var report = response.Reports.FirstOrDefault(r => r.FogReportId == recipient.FogReportId);
        if (report is null)
        {
            return Fail(
                FogReportError.UnknownReportId,
                $"No report has id '{recipient.FogReportId}' (the server has {string.Join(", ", response.Reports.Select(r => $"'{r.FogReportId}'"))}).",
                out failure);
        }

        // 5. Its evidence: an ingest enclave we trust, binding the ingress key.
        switch (report.AttestationEvidenceCase)
        {
            case Report.AttestationEvidenceOneofCase.None:
                return Fail(FogReportError.MissingEvidence, $"Report '{report.FogReportId}' carries no attestation evidence.", out failure);
            case Report.AttestationEvidenceOneofCase.FogSimulatedEvidence:
                break;
            default:
                failure = new FogReportFailure(
                    FogReportError.EvidenceRejected,
                    $"Report '{report.FogReportId}' carries {report.AttestationEvidenceCase} evidence, which this client cannot verify.",
                    new Attestation.AttestError(Attestation.AttestErrorCode.UnsupportedEvidence, "Only Fog simulated evidence is verified by this client."));
                return false;
        }

        var evidence = report.FogSimulatedEvidence;
        var envelope = new FogEvidenceEnvelope { FogSimulatedEvidence = evidence }.ToByteArray();
        var staticKey = evidence.ReportData is { } contents ? contents.Key.Memory : ReadOnlyMemory<byte>.Empty;
        if (!_verifier.TryVerify(envelope, staticKey.Span, out var evidenceResult, out var attestError))
        {
            failure = new FogReportFailure(FogReportError.EvidenceRejected, $"Report '{report.FogReportId}': {attestError.Message}", attestError);
            return false;
        }

        if (!RistrettoPublic.TryFrom(evidenceResult.CustomIdentity, out var ingress))
        {
            return Fail(FogReportError.InvalidIngressKey, $"Report '{report.FogReportId}' binds a custom identity of {evidenceResult.CustomIdentity.Length} bytes that is not a ristretto255 public key.", out failure);
        }

        pubkey = new ValidatedFogPubkey(ingress, report.PubkeyExpiry);
        failure = null;
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }

    private static FogUri UriOf(PublicAddress recipient)
    {
        if (!recipient.HasFog)
        {
            throw new FogReportException(new FogReportFailure(FogReportError.NoFogReportUrl, "The address has no fog report URL; pay it with a fake fog hint."));
        }

        return FogUri.TryParse(recipient.FogReportUrl, out var uri, out var error)
            ? uri
            : throw new FogReportException(new FogReportFailure(FogReportError.InvalidFogReportUrl, $"The address's fog report URL is invalid: {error}."));
    }

    private static bool VerifyEd25519(byte[] publicKey, byte[] message, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureAlgorithm.Ed25519.SignatureSize
        && PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
        && SignatureAlgorithm.Ed25519.Verify(key!, message, signature);

    private static bool Fail(FogReportError error, string message, out FogReportFailure failure)
    {
        failure = new FogReportFailure(error, message);
        return false;
    }
}
