using Fog.Api.Attest;
using Fog.Api.External;
using Fog.Api.Report;
using Fog.Crypto.Digestible;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Fog.Attestation.Reports;

/// <summary>
/// The message a report server signs: the digestible digest (Merlin, <c>digest32</c>) of the report list under the
/// context "Fog ingest reports" (ledger-and-report.md §4.3). The list is a sequence of <c>Report</c> aggregates:
/// <c>fog_report_id</c> (always written), the evidence under the field name <c>report</c>, then <c>pubkey_expiry</c>.
/// </summary>
/// <remarks>
/// The report server signs with it and senders verify with it: one implementation, so the two can never disagree. Fog's own simulated evidence (field 1001) is digested as an aggregate
/// <c>FogSimulatedEvidence</c> with its fields in tag order, the way the reference's derive would digest it.
/// </remarks>
public static class ReportDigest
{
    /// <summary>The signing context (<c>mc_fog_sig_report::context()</c>).</summary>
    public static ReadOnlySpan<byte> Context => "Fog ingest reports"u8;

    /// <summary>The 32-byte digest of <paramref name="reports"/> that the leaf key signs.</summary>
    public static byte[] Compute(IReadOnlyList<Report> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var transcript = new DigestTranscript();
        if (reports.Count == 0)
        {
            transcript.AppendNone(Context);
        }
        else
        {
            transcript.AppendSequenceHeader(Context, (ulong)reports.Count);
            foreach (var report in reports)
            {
                AppendReport(transcript, ""u8, report);
            }
        }

        return transcript.ExtractDigest();
    }

    private static void AppendReport(DigestTranscript t, ReadOnlySpan<byte> context, Report report)
    {
        t.AppendAggregateHeader(context, "Report"u8);
        t.AppendString("fog_report_id"u8, report.FogReportId);
        switch (report.AttestationEvidenceCase)
        {
            case Report.AttestationEvidenceOneofCase.VerificationReport:
                AppendVerificationReport(t, "report"u8, report.VerificationReport);
                break;
            case Report.AttestationEvidenceOneofCase.DcapEvidence:
                AppendDcapEvidence(t, "report"u8, report.DcapEvidence);
                break;
            case Report.AttestationEvidenceOneofCase.FogSimulatedEvidence:
                AppendSimulatedEvidence(t, "report"u8, report.FogSimulatedEvidence);
                break;
            default:
                break; // None: an absent optional field appends nothing.
        }

        t.AppendUInt64("pubkey_expiry"u8, report.PubkeyExpiry);
        t.AppendAggregateCloser(context, "Report"u8);
    }

    private static void AppendVerificationReport(DigestTranscript t, ReadOnlySpan<byte> context, VerificationReport report)
    {
        t.AppendAggregateHeader(context, "VerificationReport"u8);
        t.AppendAggregateHeader("sig"u8, "VerificationSignature"u8);
        t.AppendBytes("0"u8, report.Sig is { } sig ? sig.Contents.Span : default);
        t.AppendAggregateCloser("sig"u8, "VerificationSignature"u8);
        AppendBytesSequence(t, "chain"u8, report.Chain);
        t.AppendString("http_body"u8, report.HttpBody);
        t.AppendAggregateCloser(context, "VerificationReport"u8);
    }

    private static void AppendDcapEvidence(DigestTranscript t, ReadOnlySpan<byte> context, DcapEvidence evidence)
    {
        t.AppendAggregateHeader(context, "DcapEvidence"u8);
        if (evidence.Quote is { } quote)
        {
            t.AppendAggregateHeader("quote"u8, "Quote3"u8);
            t.AppendBytesAllowOmit("data"u8, quote.Data.Span);
            t.AppendAggregateCloser("quote"u8, "Quote3"u8);
        }

        if (evidence.Collateral is { } collateral)
        {
            t.AppendAggregateHeader("collateral"u8, "Collateral"u8);
            AppendBytesSequence(t, "pck_crl_issuer_chain"u8, collateral.PckCrlIssuerChain);
            t.AppendBytesAllowOmit("root_ca_crl"u8, collateral.RootCaCrl.Span);
            t.AppendBytesAllowOmit("pck_crl"u8, collateral.PckCrl.Span);
            AppendBytesSequence(t, "tcb_info_issuer_chain"u8, collateral.TcbInfoIssuerChain);
            t.AppendStringAllowOmit("tcb_info"u8, collateral.TcbInfo);
            AppendBytesSequence(t, "qe_identity_issuer_chain"u8, collateral.QeIdentityIssuerChain);
            t.AppendStringAllowOmit("qe_identity"u8, collateral.QeIdentity);
            t.AppendAggregateCloser("collateral"u8, "Collateral"u8);
        }

        if (evidence.ReportData is { } reportData)
        {
            AppendReportData(t, "report_data"u8, reportData);
        }

        t.AppendAggregateCloser(context, "DcapEvidence"u8);
    }

    private static void AppendSimulatedEvidence(DigestTranscript t, ReadOnlySpan<byte> context, FogSimulatedEvidence evidence)
    {
        t.AppendAggregateHeader(context, "FogSimulatedEvidence"u8);
        t.AppendBytesAllowOmit("quote"u8, evidence.Quote.Span);
        t.AppendBytesAllowOmit("quote_signature"u8, evidence.QuoteSignature.Span);
        if (evidence.QuotingKey is { } quotingKey)
        {
            t.AppendAggregateHeader("quoting_key"u8, "FogSimulatedQuotingKey"u8);
            t.AppendBytesAllowOmit("public_key"u8, quotingKey.PublicKey.Span);
            t.AppendBytesAllowOmit("root_public_key"u8, quotingKey.RootPublicKey.Span);
            t.AppendBytesAllowOmit("root_signature"u8, quotingKey.RootSignature.Span);
            t.AppendAggregateCloser("quoting_key"u8, "FogSimulatedQuotingKey"u8);
        }

        if (evidence.ReportData is { } reportData)
        {
            AppendReportData(t, "report_data"u8, reportData);
        }

        t.AppendAggregateCloser(context, "FogSimulatedEvidence"u8);
    }

    private static void AppendReportData(DigestTranscript t, ReadOnlySpan<byte> context, EnclaveReportDataContents contents)
    {
        t.AppendAggregateHeader(context, "EnclaveReportDataContents"u8);
        t.AppendBytesAllowOmit("nonce"u8, contents.Nonce.Span);
        t.AppendBytesAllowOmit("key"u8, contents.Key.Span);
        t.AppendBytesAllowOmit("custom_identity"u8, contents.CustomIdentity.Span);
        t.AppendAggregateCloser(context, "EnclaveReportDataContents"u8);
    }

    // A struct field of type Vec<Vec<u8>>: nothing when empty, else a sequence of byte primitives.
    private static void AppendBytesSequence(DigestTranscript t, ReadOnlySpan<byte> context, RepeatedField<ByteString> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        t.AppendSequenceHeader(context, (ulong)items.Count);
        foreach (var item in items)
        {
            t.AppendBytes(""u8, item.Span);
        }
    }
}
