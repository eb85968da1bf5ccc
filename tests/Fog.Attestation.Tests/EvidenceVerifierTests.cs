using Fog.Api.Attest;
using Fog.Api.External;
using Fog.Attestation.Evidence;
using Google.Protobuf;

namespace Fog.Attestation.Tests;

public sealed class EvidenceVerifierTests : IDisposable
{
    private static readonly byte[] StaticKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private readonly SimulationRoot _root = SimulationRoot.Generate();
    private readonly SimulatedQuotingKey _quotingKey;
    private readonly SimulatedQuotingProvider _provider;

    public EvidenceVerifierTests()
    {
        _quotingKey = _root.IssueQuotingKey();
        _provider = new SimulatedQuotingProvider(_quotingKey, TestEnclaves.Identity());
    }

    [Fact]
    public void Genuine_evidence_verifies_and_reports_the_identity_and_custom_identity()
    {
        var ingressKey = Enumerable.Repeat((byte)0xAB, 32).ToArray();
        var evidence = _provider.CreateEvidence(StaticKey, ingressKey);

        Assert.True(TestEnclaves.Verifier(_root).TryVerify(evidence, StaticKey, out var verified, out var error), error?.ToString());
        Assert.True(verified.IsSimulation);
        Assert.Equal(TestEnclaves.Identity(), verified.Identity);
        Assert.Equal(ingressKey, verified.CustomIdentity);
        Assert.Contains("SIMULATED", verified.ToString());
    }

    [Fact]
    public void Evidence_labels_itself_as_simulation()
    {
        var envelope = FogEvidenceEnvelope.Parser.ParseFrom(_provider.CreateEvidence(StaticKey, []));
        var quote = FogSimulatedQuote.Parser.ParseFrom(envelope.FogSimulatedEvidence.Quote);
        Assert.Equal("simulation", quote.Tee);
        Assert.True(_provider.IsSimulation);
    }

    [Fact]
    public void Report_data_hash_leaves_out_an_absent_custom_identity_but_not_a_zero_one()
    {
        var nonce = new byte[16];
        Assert.NotEqual(ReportData.Hash(nonce, StaticKey, []), ReportData.Hash(nonce, StaticKey, new byte[32]));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData([.. nonce, .. StaticKey]), ReportData.Hash(nonce, StaticKey, []));
    }

    public static TheoryData<string, AttestErrorCode> PolicyMismatches() => new()
    {
        { "measurement", AttestErrorCode.MeasurementNotAccepted },
        { "product", AttestErrorCode.ProductIdMismatch },
        { "svn", AttestErrorCode.SecurityVersionTooLow },
        { "debug", AttestErrorCode.DebugNotAllowed },
        { "root", AttestErrorCode.UntrustedRoot },
        { "no-simulation", AttestErrorCode.SimulationNotTrusted },
        { "signer", AttestErrorCode.SignerNotAccepted },
    };

    [Theory]
    [MemberData(nameof(PolicyMismatches))]
    public void Evidence_that_the_policy_does_not_accept_is_rejected_with_its_reason(string mismatch, AttestErrorCode expected)
    {
        using var otherRoot = SimulationRoot.Generate();
        var debug = mismatch == "debug";
        using var quotingKey = _root.IssueQuotingKey();
        var provider = new SimulatedQuotingProvider(quotingKey, TestEnclaves.Identity(debug: debug));
        AttestationPolicy policy = mismatch switch
        {
            "measurement" => TestEnclaves.Policy(_root, measurement: TestEnclaves.OtherMeasurement),
            "product" => TestEnclaves.Policy(_root, product: EnclaveProductId.Ingest),
            "svn" => TestEnclaves.Policy(_root, minimumSecurityVersion: 9),
            "debug" => TestEnclaves.Policy(_root),
            "root" => TestEnclaves.Policy(otherRoot),
            "no-simulation" => new AttestationPolicy([TestEnclaves.Measurement], EnclaveProductId.View),
            "signer" => new AttestationPolicy([TestEnclaves.Measurement], EnclaveProductId.View, 0, false, [_root.PublicKey.ToArray()], [EnclaveSignerId.FromName("someone else")]),
            _ => throw new ArgumentOutOfRangeException(nameof(mismatch)),
        };

        Assert.False(new SimulatedEvidenceVerifier(policy).TryVerify(provider.CreateEvidence(StaticKey, []), StaticKey, out var verified, out var error));
        Assert.Null(verified);
        Assert.Equal(expected, error.Code);
        Assert.True(error.IsAttestationFailure);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Evidence_for_another_static_key_is_rejected_as_relayed()
    {
        var otherKey = new byte[32];
        otherKey[0] = 9;
        Assert.False(TestEnclaves.Verifier(_root).TryVerify(_provider.CreateEvidence(StaticKey, []), otherKey, out _, out var error));
        Assert.Equal(AttestErrorCode.RemoteKeyMismatch, error.Code);
    }

    [Fact]
    public void Report_data_contents_changed_after_signing_are_rejected()
    {
        var envelope = Envelope();
        envelope.FogSimulatedEvidence.ReportData.CustomIdentity = ByteString.CopyFrom(new byte[32]);
        AssertRejected(envelope, AttestErrorCode.ReportDataMismatch);

        // Swapping in another static key is caught by the hash too, before the key comparison.
        envelope = Envelope();
        envelope.FogSimulatedEvidence.ReportData.Key = ByteString.CopyFrom(new byte[32]);
        AssertRejected(envelope, AttestErrorCode.ReportDataMismatch, remoteKey: new byte[32]);
    }

    [Fact]
    public void A_modified_quote_fails_its_signature()
    {
        var envelope = Envelope();
        var quote = FogSimulatedQuote.Parser.ParseFrom(envelope.FogSimulatedEvidence.Quote);
        quote.SecurityVersion = 99;
        envelope.FogSimulatedEvidence.Quote = quote.ToByteString();
        AssertRejected(envelope, AttestErrorCode.InvalidQuoteSignature);
    }

    [Fact]
    public void A_quoting_key_the_root_did_not_endorse_is_rejected()
    {
        using var rogueRoot = SimulationRoot.Generate();
        using var rogueKey = rogueRoot.IssueQuotingKey();
        var envelope = FogEvidenceEnvelope.Parser.ParseFrom(new SimulatedQuotingProvider(rogueKey, TestEnclaves.Identity()).CreateEvidence(StaticKey, []));

        // Claim the trusted root endorsed it.
        envelope.FogSimulatedEvidence.QuotingKey.RootPublicKey = ByteString.CopyFrom(_root.PublicKey);
        AssertRejected(envelope, AttestErrorCode.InvalidQuotingKeyEndorsement);
    }

    [Fact]
    public void A_signed_quote_that_does_not_say_simulation_is_rejected()
    {
        var envelope = Envelope();
        var quote = FogSimulatedQuote.Parser.ParseFrom(envelope.FogSimulatedEvidence.Quote);
        quote.Tee = "sgx";
        var bytes = quote.ToByteArray();
        envelope.FogSimulatedEvidence.Quote = ByteString.CopyFrom(bytes);
        envelope.FogSimulatedEvidence.QuoteSignature = ByteString.CopyFrom(_quotingKey.SignQuote(bytes));
        AssertRejected(envelope, AttestErrorCode.NotSimulationQuote);
    }

    [Fact]
    public void Reference_DCAP_evidence_is_reported_as_unsupported_not_malformed()
    {
        // The reference's wrapper puts DcapEvidence at field 4.
        var dcap = new DcapEvidence { Quote = new Quote3 { Data = ByteString.CopyFrom(new byte[48]) } };
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(4, WireFormat.WireType.LengthDelimited);
        output.WriteMessage(dcap);
        output.Flush();
        Assert.False(TestEnclaves.Verifier(_root).TryVerify(stream.ToArray(), StaticKey, out _, out var error));
        Assert.Equal(AttestErrorCode.UnsupportedEvidence, error.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ff")]
    [InlineData("0a0b")]
    [InlineData("ca3e0a")]
    public void Malformed_evidence_is_rejected_without_throwing(string hex)
    {
        Assert.False(TestEnclaves.Verifier(_root).TryVerify(Convert.FromHexString(hex), StaticKey, out _, out var error));
        Assert.Equal(AttestErrorCode.MalformedEvidence, error.Code);
    }

    [Fact]
    public void Policy_options_are_validated_with_readable_messages_naming_each_setting()
    {
        var problems = AttestationPolicy.Validate(new AttestationPolicyOptions
        {
            AcceptedSignerIds = ["nope"],
            TrustedSimulationRoots = ["12"],
        });
        Assert.Contains(problems, p => p.Contains(nameof(AttestationPolicyOptions.AcceptedMeasurements)));
        Assert.Contains(problems, p => p.Contains(nameof(AttestationPolicyOptions.ProductId)));
        Assert.Contains(problems, p => p.Contains(nameof(AttestationPolicyOptions.AcceptedSignerIds)));
        Assert.Contains(problems, p => p.Contains(nameof(AttestationPolicyOptions.TrustedSimulationRoots)));
        Assert.Throws<ArgumentException>(() => AttestationPolicy.FromOptions(new AttestationPolicyOptions()));
    }

    [Fact]
    public void Policy_from_options_accepts_what_the_options_describe()
    {
        var policy = AttestationPolicy.FromOptions(new AttestationPolicyOptions
        {
            AcceptedMeasurements = [TestEnclaves.Measurement.ToHex()],
            ProductId = EnclaveProductId.View,
            MinimumSecurityVersion = 5,
            TrustedSimulationRoots = [_root.PublicKeyHex],
        });
        Assert.True(new SimulatedEvidenceVerifier(policy).TryVerify(_provider.CreateEvidence(StaticKey, []), StaticKey, out _, out var error), error?.ToString());
        Assert.True(policy.TrustsSimulation);
        Assert.False(policy.AllowDebug);
    }

    [Fact]
    public void Measurement_depends_on_name_and_code_and_round_trips_through_hex()
    {
        var a = EnclaveMeasurement.Compute("view", "code"u8);
        Assert.Equal(a, EnclaveMeasurement.Compute("view", "code"u8));
        Assert.NotEqual(a, EnclaveMeasurement.Compute("ledger", "code"u8));
        Assert.NotEqual(a, EnclaveMeasurement.Compute("view", "code!"u8));
        Assert.Equal(a, EnclaveMeasurement.Parse(a.ToHex()));

        var assembly = typeof(EnclaveMeasurement).Assembly;
        Assert.Equal(
            EnclaveMeasurement.Compute("attestation", File.ReadAllBytes(assembly.Location)),
            EnclaveMeasurement.OfAssembly("attestation", assembly));
    }

    public void Dispose()
    {
        _quotingKey.Dispose();
        _root.Dispose();
    }

    private FogEvidenceEnvelope Envelope() => FogEvidenceEnvelope.Parser.ParseFrom(_provider.CreateEvidence(StaticKey, []));

    private void AssertRejected(FogEvidenceEnvelope envelope, AttestErrorCode expected, byte[]? remoteKey = null)
    {
        Assert.False(TestEnclaves.Verifier(_root).TryVerify(envelope.ToByteArray(), remoteKey ?? StaticKey, out _, out var error));
        Assert.Equal(expected, error.Code);
    }
}
