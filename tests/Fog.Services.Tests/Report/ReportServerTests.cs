using Fog.Api.Attest;
using Fog.Api.Report;
using Fog.Attestation.Reports;
using Fog.Crypto.Ristretto;
using Fog.Services.Hosting;
using Fog.Services.Report;
using Fog.Storage.Recovery;
using Google.Protobuf;
using Grpc.Net.Client;
using NSec.Cryptography;

namespace Fog.Services.Tests.Report;

/// <summary>The report server over real gRPC and a real SQLite recovery DB (reference: fog/report/server/tests/grpc_apis.rs).</summary>
public sealed class ReportServerTests : IAsyncLifetime
{
    private string _directory = null!;
    private IRecoveryDb _db = null!;
    private DevCertificateChain _chain = null!;
    private (string Chain, string Key) _paths;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("fog-report-server-test-").FullName;
        _db = await new RecoveryDbBuilder().UseSqlite(Path.Combine(_directory, "recovery.db")).BuildAsync();
        _chain = DevCertificateChain.Create();
        var (chain, key, _) = _chain.WriteTo(Path.Combine(_directory, "chain"));
        _paths = (chain, key);
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Serves_the_stored_reports_in_order_signed_by_the_leaf_with_the_chain_leaf_first()
    {
        await using var server = await StartAsync();
        using var channel = GrpcChannel.ForAddress(server.ClientUri);
        var client = new ReportAPI.ReportAPIClient(channel);

        var empty = await client.GetReportsAsync(new ReportRequest());
        Assert.Empty(empty.Reports);
        AssertSigned(empty);

        var key = NewKey();
        await _db.NewIngressKeyAsync(key, 0);
        var evidence1 = Evidence(1);
        await _db.SetReportAsync(key, "", new ReportData(null, evidence1.ToByteArray(), 102030));
        var one = await client.GetReportsAsync(new ReportRequest());
        var report = Assert.Single(one.Reports);
        Assert.Equal("", report.FogReportId);
        Assert.Equal(102030UL, report.PubkeyExpiry);
        Assert.Equal(evidence1.FogSimulatedEvidence, report.FogSimulatedEvidence);
        AssertSigned(one);

        var evidence2 = Evidence(2);
        await _db.SetReportAsync(key, "", new ReportData(null, evidence2.ToByteArray(), 424242));
        report = Assert.Single((await client.GetReportsAsync(new ReportRequest())).Reports);
        Assert.Equal(424242UL, report.PubkeyExpiry);
        Assert.Equal(evidence2.FogSimulatedEvidence, report.FogSimulatedEvidence);

        await _db.SetReportAsync(key, "report2", new ReportData(null, evidence1.ToByteArray(), 424243));
        var two = await client.GetReportsAsync(new ReportRequest());
        Assert.Equal(["", "report2"], two.Reports.Select(r => r.FogReportId));
        AssertSigned(two);

        await _db.RemoveReportAsync("");
        Assert.Equal(["report2"], (await client.GetReportsAsync(new ReportRequest())).Reports.Select(r => r.FogReportId));
    }

    [Fact]
    public async Task Responses_are_reused_within_the_cache_duration()
    {
        await using var server = await StartAsync(TimeSpan.FromMinutes(5));
        using var channel = GrpcChannel.ForAddress(server.ClientUri);
        var client = new ReportAPI.ReportAPIClient(channel);
        var first = await client.GetReportsAsync(new ReportRequest());

        var key = NewKey();
        await _db.NewIngressKeyAsync(key, 0);
        await _db.SetReportAsync(key, "", new ReportData(null, Evidence(3).ToByteArray(), 5));

        Assert.Equal(first, await client.GetReportsAsync(new ReportRequest()));
    }

    [Fact]
    public async Task Unreadable_evidence_is_served_without_evidence_and_the_server_keeps_serving()
    {
        await using var server = await StartAsync();
        var key = NewKey();
        await _db.NewIngressKeyAsync(key, 0);
        await _db.SetReportAsync(key, "", new ReportData(null, new byte[] { 0xff, 0xff, 0xff }, 9));
        using var channel = GrpcChannel.ForAddress(server.ClientUri);
        var response = await new ReportAPI.ReportAPIClient(channel).GetReportsAsync(new ReportRequest());
        Assert.Equal(Api.Report.Report.AttestationEvidenceOneofCase.None, Assert.Single(response.Reports).AttestationEvidenceCase);
        AssertSigned(response);
    }

    [Fact]
    public async Task Start_refuses_a_key_that_is_not_the_leafs_and_an_expired_chain()
    {
        var other = DevCertificateChain.Create();
        var otherKey = Path.Combine(_directory, "other-key.pem");
        await File.WriteAllTextAsync(otherKey, other.LeafKeyPem);
        var mismatch = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(keyPath: otherKey));
        Assert.Contains("ChainKeyMismatch", mismatch.Message, StringComparison.Ordinal);

        var expired = DevCertificateChain.Create(new DevChainOptions { NotBefore = DateTimeOffset.UtcNow.AddDays(-10), NotAfter = DateTimeOffset.UtcNow.AddDays(-1) });
        var (chain, key, _) = expired.WriteTo(Path.Combine(_directory, "expired"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(chainPath: chain, keyPath: key));
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(chainPath: Path.Combine(_directory, "missing.pem")));
    }

    [Fact]
    public void Dev_chain_files_load_back_and_are_not_overwritten()
    {
        using var material = ReportSigningMaterial.Load(_paths.Chain, _paths.Key, DateTimeOffset.UtcNow);
        Assert.Equal(_chain.RootSubjectPublicKeyInfo, material.RootSubjectPublicKeyInfo);
        Assert.Equal(3, material.Chain.Count);
        Assert.Equal(Convert.ToHexStringLower(_chain.RootSubjectPublicKeyInfo) + "\n", File.ReadAllText(Path.Combine(_directory, "chain", "authority-spki.hex")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_paths.Key));
        }

        Assert.Throws<IOException>(() => DevCertificateChain.Create().WriteTo(Path.Combine(_directory, "chain")));
    }

    [Fact]
    public async Task Metrics_count_requests_on_the_metrics_port()
    {
        await using var server = await StartAsync();
        using var channel = GrpcChannel.ForAddress(server.ClientUri);
        await new ReportAPI.ReportAPIClient(channel).GetReportsAsync(new ReportRequest());
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(server.MetricsUri!, "metrics"));
        Assert.Contains("fog_report_requests_total", text, StringComparison.Ordinal);
    }

    private void AssertSigned(ReportResponse response)
    {
        Assert.Equal(_chain.ChainDer, response.Chain.Select(c => c.ToByteArray()));
        var leaf = (Org.BouncyCastle.Crypto.Parameters.Ed25519PublicKeyParameters)_chain.Certificates[0].GetPublicKey();
        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, leaf.GetEncoded(), KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key, ReportDigest.Compute(response.Reports), response.Signature.Span));
    }

    private Task<ReportServer> StartAsync(TimeSpan? cache = null, string? chainPath = null, string? keyPath = null) =>
        ReportServer.StartAsync(
            new ReportServerOptions
            {
                Listen = new FogEndpoint("127.0.0.1", 0),
                Metrics = new FogEndpoint("127.0.0.1", 0),
                SigningChainPath = chainPath ?? _paths.Chain,
                SigningKeyPath = keyPath ?? _paths.Key,
                CacheDuration = cache ?? TimeSpan.Zero,
                LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            },
            _db);

    private static RistrettoPublic NewKey() => RistrettoPublic.FromUniformBytes(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));

    private static FogEvidenceEnvelope Evidence(byte seed) => new()
    {
        FogSimulatedEvidence = new FogSimulatedEvidence
        {
            Quote = ByteString.CopyFrom(seed, seed),
            QuoteSignature = ByteString.CopyFrom(Enumerable.Repeat(seed, 64).ToArray()),
            ReportData = new Api.External.EnclaveReportDataContents { Nonce = ByteString.CopyFrom(new byte[16]), Key = ByteString.CopyFrom(new byte[32]), CustomIdentity = ByteString.CopyFrom(Enumerable.Repeat(seed, 32).ToArray()) },
        },
    };
}
