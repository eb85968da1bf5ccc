using Fog.Api.Attest;
using Fog.Api.External;
using Fog.Api.Report;
using Fog.Attestation.Reports;
using Fog.Client.Reports;
using Google.Protobuf;

namespace Fog.Client.Tests.Reports;

public class FogUriAndDigestTests
{
    [Theory]
    [InlineData("fog://Fog.Example.com", "fog://fog.example.com:443/", true)]
    [InlineData("fog://fog.example.com:8443/", "fog://fog.example.com:8443/", true)]
    [InlineData("insecure-fog://127.0.0.1", "insecure-fog://127.0.0.1:3225/", false)]
    [InlineData("insecure-fog://localhost:6200/", "insecure-fog://localhost:6200/", false)]
    [InlineData("insecure-fog://[::1]:6200", "insecure-fog://[::1]:6200/", false)]
    public void Fog_uris_normalise_to_scheme_host_port(string text, string normal, bool tls)
    {
        var uri = FogUri.Parse(text);
        Assert.Equal(normal, uri.ToString());
        Assert.Equal(tls, uri.Tls);
        Assert.Equal(uri, FogUri.Parse(normal));
    }

    [Theory]
    [InlineData("http://fog.example.com")]
    [InlineData("fog-ledger://fog.example.com")]
    [InlineData("127.0.0.1")]
    [InlineData("")]
    [InlineData("fog://")]
    public void Other_schemes_and_non_urls_are_refused(string text) =>
        Assert.False(FogUri.TryParse(text, out _, out _));

    [Fact]
    public void Report_digest_covers_every_field_and_is_stable()
    {
        var reports = new List<Report> { Sample("", 7), Sample("two", 9) };
        var digest = ReportDigest.Compute(reports);

        // Frozen: a change here means senders of older builds can no longer verify this server (or the reverse).
        Assert.Equal("fd7b07e3fcb74b164705c2a4a6c0aa950445580a4676adeeb3fd8ccfbc32eef7", Convert.ToHexStringLower(digest));

        Assert.NotEqual(digest, ReportDigest.Compute([Sample("", 8), Sample("two", 9)]));
        Assert.NotEqual(digest, ReportDigest.Compute([Sample("x", 7), Sample("two", 9)]));
        Assert.NotEqual(digest, ReportDigest.Compute([Sample("two", 9), Sample("", 7)]));
        var altered = Sample("", 7);
        altered.FogSimulatedEvidence.ReportData.CustomIdentity = ByteString.CopyFrom(new byte[32]);
        Assert.NotEqual(digest, ReportDigest.Compute([altered, Sample("two", 9)]));
        Assert.NotEqual(ReportDigest.Compute([]), ReportDigest.Compute([new Report()]));
    }

    private static Report Sample(string id, ulong expiry) => new()
    {
        FogReportId = id,
        PubkeyExpiry = expiry,
        FogSimulatedEvidence = new FogSimulatedEvidence
        {
            Quote = ByteString.CopyFrom(1, 2, 3),
            QuoteSignature = ByteString.CopyFrom(new byte[64]),
            QuotingKey = new FogSimulatedQuotingKey { PublicKey = ByteString.CopyFrom(new byte[32]), RootPublicKey = ByteString.CopyFrom(Enumerable.Repeat((byte)1, 32).ToArray()), RootSignature = ByteString.CopyFrom(new byte[64]) },
            ReportData = new EnclaveReportDataContents { Nonce = ByteString.CopyFrom(new byte[16]), Key = ByteString.CopyFrom(new byte[32]), CustomIdentity = ByteString.CopyFrom(Enumerable.Repeat((byte)2, 32).ToArray()) },
        },
    };
}
