using Fog.Api.Report;
using Fog.Attestation;
using Fog.Attestation.Reports;
using Fog.Client.Reports;
using Fog.Model.Addresses;
using Fog.Services.Report;
using Google.Protobuf;

namespace Fog.Client.Tests.Reports;

/// <summary>
/// A sender resolves a recipient's ingress key from a real report server, and every way the server's answer or the
/// address can be wrong is refused with its own error.
/// </summary>
public sealed class FogReportResolverTests : IAsyncLifetime
{
    private ReportTestNetwork _network = null!;

    public async Task InitializeAsync() => _network = await ReportTestNetwork.StartAsync();

    public async Task DisposeAsync() => await _network.DisposeAsync();

    [Fact]
    public async Task Sender_resolves_the_ingress_key_and_expiry_of_a_valid_report()
    {
        var enclave = await _network.PublishAsync(pubkeyExpiry: 1234);
        using var account = _network.Account(1);
        using var resolver = new FogReportResolver(_network.IngestPolicy);

        var resolved = await resolver.ResolveAsync(account.DefaultSubaddress);

        Assert.Equal(enclave.IngressPublicKey, resolved.IngressPublicKey.ToArray());
        Assert.Equal(1234UL, resolved.PubkeyExpiry);

        // Every subaddress carries its own authority signature, and resolves the same way.
        Assert.Equal(enclave.IngressPublicKey, (await resolver.ResolveAsync(account.Subaddress(7))).IngressPublicKey.ToArray());
    }

    [Fact]
    public async Task Report_is_picked_by_the_addresses_report_id()
    {
        var first = await _network.PublishAsync(reportId: "");
        var second = await _network.PublishAsync(reportId: "shard-2");
        using var resolver = new FogReportResolver(_network.IngestPolicy);
        using var a = _network.Account(2, reportId: "");
        using var b = _network.Account(3, reportId: "shard-2");
        using var c = _network.Account(4, reportId: "missing");

        Assert.Equal(first.IngressPublicKey, (await resolver.ResolveAsync(a.DefaultSubaddress)).IngressPublicKey.ToArray());
        Assert.Equal(second.IngressPublicKey, (await resolver.ResolveAsync(b.DefaultSubaddress)).IngressPublicKey.ToArray());
        var error = await Assert.ThrowsAsync<FogReportException>(() => resolver.ResolveAsync(c.DefaultSubaddress));
        Assert.Equal(FogReportError.UnknownReportId, error.Error);
        Assert.Contains("'missing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authority_signature_by_another_key_is_refused()
    {
        await _network.PublishAsync();
        using var account = _network.Account(5);
        using var impostor = _network.Account(6);
        var address = account.DefaultSubaddress;
        using var otherView = impostor.DefaultSubaddressViewPrivate();
        var forged = new PublicAddress(address.ViewPublicKey, address.SpendPublicKey, address.FogReportUrl, address.FogReportId,
            otherView.SignSchnorrkel(FogAuthority.SignatureContext, _network.Chain.RootSubjectPublicKeyInfo));

        await AssertRefusedAsync(forged, FogReportError.AuthoritySignatureInvalid);
    }

    [Fact]
    public async Task Address_without_authority_signature_is_refused()
    {
        await _network.PublishAsync();
        using var account = _network.Account(7);
        var address = account.DefaultSubaddress;
        await AssertRefusedAsync(new PublicAddress(address.ViewPublicKey, address.SpendPublicKey, address.FogReportUrl, address.FogReportId), FogReportError.MissingAuthoritySignature);
    }

    [Fact]
    public async Task Chain_rooted_at_another_authority_is_refused()
    {
        await _network.PublishAsync();

        // The address names another authority than the one whose chain the server presents (a DNS hijacker's server).
        var otherAuthority = DevCertificateChain.Create(new DevChainOptions { RootName = "Someone else" });
        using var account = _network.Account(8, authoritySpki: otherAuthority.RootSubjectPublicKeyInfo);
        await AssertRefusedAsync(account.DefaultSubaddress, FogReportError.AuthoritySignatureInvalid);

        // A chain that stops below its root is not rooted at any authority.
        using var honest = _network.Account(9);
        var response = await FetchAsync();
        response.Chain.RemoveAt(response.Chain.Count - 1);
        AssertRefused(honest.DefaultSubaddress, response, FogReportError.ChainNotRooted);
    }

    [Fact]
    public async Task Expired_and_not_yet_valid_chains_are_refused()
    {
        await _network.PublishAsync();
        using var account = _network.Account(10);
        var response = await FetchAsync();

        using var late = new FogReportResolver(_network.IngestPolicy, new FixedClock(DateTimeOffset.UtcNow.AddYears(2)));
        Assert.Equal(FogReportError.CertificateExpired, Refusal(late, account.DefaultSubaddress, response).Error);
        using var early = new FogReportResolver(_network.IngestPolicy, new FixedClock(DateTimeOffset.UtcNow.AddDays(-2)));
        Assert.Equal(FogReportError.CertificateNotYetValid, Refusal(early, account.DefaultSubaddress, response).Error);
    }

    [Fact]
    public async Task Malformed_or_unlinked_certificates_are_refused()
    {
        await _network.PublishAsync();
        using var account = _network.Account(11);

        var garbage = await FetchAsync();
        garbage.Chain[1] = ByteString.CopyFrom(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x05 });
        AssertRefused(account.DefaultSubaddress, garbage, FogReportError.MalformedCertificate);

        // An intermediate from another chain: the leaf is not issued by it.
        var spliced = await FetchAsync();
        spliced.Chain[1] = ByteString.CopyFrom(DevCertificateChain.Create().ChainDer[1]);
        AssertRefused(account.DefaultSubaddress, spliced, FogReportError.BrokenCertificateChain);

        var empty = await FetchAsync();
        empty.Chain.Clear();
        AssertRefused(account.DefaultSubaddress, empty, FogReportError.EmptyCertificateChain);
    }

    [Fact]
    public async Task Bad_report_signature_or_altered_reports_are_refused()
    {
        await _network.PublishAsync(pubkeyExpiry: 50);
        using var account = _network.Account(12);

        var tampered = await FetchAsync();
        var signature = tampered.Signature.ToByteArray();
        signature[5] ^= 1;
        tampered.Signature = ByteString.CopyFrom(signature);
        AssertRefused(account.DefaultSubaddress, tampered, FogReportError.ReportSignatureInvalid);

        // Extending the expiry (so senders use the key longer) breaks the signature.
        var extended = await FetchAsync();
        extended.Reports[0].PubkeyExpiry = 5_000;
        AssertRefused(account.DefaultSubaddress, extended, FogReportError.ReportSignatureInvalid);

        var truncated = await FetchAsync();
        truncated.Signature = ByteString.Empty;
        AssertRefused(account.DefaultSubaddress, truncated, FogReportError.ReportSignatureInvalid);
    }

    [Fact]
    public async Task Evidence_of_an_enclave_with_another_measurement_is_refused()
    {
        await _network.PublishAsync(measurement: ReportTestNetwork.OtherMeasurement);
        using var account = _network.Account(13);
        using var resolver = new FogReportResolver(_network.IngestPolicy);

        var error = await Assert.ThrowsAsync<FogReportException>(() => resolver.ResolveAsync(account.DefaultSubaddress));

        Assert.Equal(FogReportError.EvidenceRejected, error.Error);
        Assert.Equal(AttestErrorCode.MeasurementNotAccepted, error.Failure.AttestError!.Code);
    }

    [Fact]
    public async Task Evidence_from_an_untrusted_simulation_root_or_without_evidence_is_refused()
    {
        using var rogueRoot = Attestation.Evidence.SimulationRoot.Generate();
        using var rogueQuotingKey = rogueRoot.IssueQuotingKey();
        await _network.PublishAsync(quotingKey: rogueQuotingKey);
        using var account = _network.Account(14);
        using var resolver = new FogReportResolver(_network.IngestPolicy);
        var error = await Assert.ThrowsAsync<FogReportException>(() => resolver.ResolveAsync(account.DefaultSubaddress));
        Assert.Equal(AttestErrorCode.UntrustedRoot, error.Failure.AttestError!.Code);

        // A report without evidence, re-signed so only the evidence check can fail.
        var response = await FetchAsync();
        response.Reports[0].ClearAttestationEvidence();
        using var signing = ReportSigningMaterial.FromPem(_network.Chain.ChainPem, _network.Chain.LeafKeyPem, DateTimeOffset.UtcNow);
        response.Signature = ByteString.CopyFrom(signing.Sign(ReportDigest.Compute(response.Reports)));
        AssertRefused(account.DefaultSubaddress, response, FogReportError.MissingEvidence);
    }

    [Fact]
    public async Task Addresses_without_fog_and_unreachable_or_empty_servers_are_distinct_errors()
    {
        using var resolver = new FogReportResolver(_network.IngestPolicy);
        using var plain = Model.Keys.AccountKey.FromRootEntropy(new byte[32]);
        Assert.Equal(FogReportError.NoFogReportUrl, (await Assert.ThrowsAsync<FogReportException>(() => resolver.ResolveAsync(plain.DefaultSubaddress))).Error);

        using var empty = _network.Account(15);
        Assert.Equal(FogReportError.NoReports, (await Assert.ThrowsAsync<FogReportException>(() => resolver.ResolveAsync(empty.DefaultSubaddress))).Error);

        using var unreachable = _network.Account(16, url: "insecure-fog://127.0.0.1:1/");
        Assert.Equal(FogReportError.ReportServerUnavailable, (await Assert.ThrowsAsync<FogReportException>(() => resolver.ResolveAsync(unreachable.DefaultSubaddress))).Error);

        using var badUrl = _network.Account(17, url: "https://fog.example.com/");
        Assert.Equal(FogReportError.InvalidFogReportUrl, (await Assert.ThrowsAsync<FogReportException>(() => resolver.ResolveAsync(badUrl.DefaultSubaddress))).Error);
    }

    [Fact]
    public void Resolver_refuses_a_policy_for_another_enclave()
    {
        var viewPolicy = new Attestation.Evidence.AttestationPolicy([ReportTestNetwork.IngestMeasurement], Attestation.Evidence.EnclaveProductId.View);
        Assert.Throws<ArgumentException>(() => new FogReportResolver(viewPolicy));
    }

    private async Task<ReportResponse> FetchAsync()
    {
        using var resolver = new FogReportResolver(_network.IngestPolicy);
        return await resolver.FetchAsync(FogUri.Parse(_network.Server.FogReportUrl));
    }

    private async Task AssertRefusedAsync(PublicAddress address, FogReportError expected)
    {
        using var resolver = new FogReportResolver(_network.IngestPolicy);
        var error = await Assert.ThrowsAsync<FogReportException>(() => resolver.ResolveAsync(address));
        Assert.Equal(expected, error.Error);
    }

    private void AssertRefused(PublicAddress address, ReportResponse response, FogReportError expected)
    {
        using var resolver = new FogReportResolver(_network.IngestPolicy);
        Assert.Equal(expected, Refusal(resolver, address, response).Error);
    }

    private static FogReportFailure Refusal(FogReportResolver resolver, PublicAddress address, ReportResponse response)
    {
        Assert.False(resolver.TryValidate(address, response, out _, out var failure));
        return failure;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
