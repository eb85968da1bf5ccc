using Fog.Attestation;
using Fog.Attestation.Evidence;
using Fog.Attestation.Sealing;
using Fog.Enclaves.Ingest;

namespace Fog.Enclaves.Tests.Ingest;

/// <summary>Ingress and egress keys: sealing, rotation, evidence, and sharing between peer enclaves over IX channels.</summary>
public sealed class IngestEnclaveKeyTests : IDisposable
{
    private readonly IngestTestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void Sealed_ingress_key_reloads_in_a_new_enclave_of_the_same_build_on_the_same_machine()
    {
        byte[] sealedKey;
        byte[] ingress;
        using (var first = _host.Create())
        {
            sealedKey = first.SealIngressKey();
            ingress = first.IngressPublicKey;
        }

        using var second = _host.Create();
        var egressBefore = second.EgressPublicKey;
        Assert.NotEqual(ingress, second.IngressPublicKey);
        Assert.True(second.TryLoadSealedIngressKey(sealedKey, out _));
        Assert.Equal(ingress, second.IngressPublicKey);
        Assert.Equal(egressBefore, second.EgressPublicKey); // the egress key is never restored

        using var otherBuild = _host.Create(measurement: IngestTestHost.OtherMeasurement);
        Assert.False(otherBuild.TryLoadSealedIngressKey(sealedKey, out var error));
        Assert.Equal(UnsealError.MeasurementMismatch, error);

        using var otherMachine = MachineSealingSecret.CreateEphemeral();
        using var elsewhere = _host.Create(sealingSecret: otherMachine);
        var ingressElsewhere = elsewhere.IngressPublicKey;
        Assert.False(elsewhere.TryLoadSealedIngressKey(sealedKey, out error));
        Assert.Equal(UnsealError.AuthenticationFailed, error);
        Assert.Equal(ingressElsewhere, elsewhere.IngressPublicKey);

        Assert.False(second.TryLoadSealedIngressKey(sealedKey.AsSpan(0, 10), out error));
        Assert.Equal(UnsealError.Malformed, error);
    }

    [Fact]
    public void Evidence_binds_the_current_ingress_key_as_custom_identity()
    {
        using var enclave = _host.Create();
        var verifier = new SimulatedEvidenceVerifier(_host.IngestPolicy());
        AssertBinds(enclave.GetReport());
        enclave.NewKeys();
        AssertBinds(enclave.GetReport());

        void AssertBinds(IngestReport report)
        {
            Assert.Equal(enclave.IngressPublicKey, report.IngressPublicKey);
            var envelope = Api.Attest.FogEvidenceEnvelope.Parser.ParseFrom(report.Evidence);
            var key = envelope.FogSimulatedEvidence.ReportData.Key.ToByteArray();
            Assert.True(verifier.TryVerify(report.Evidence, key, out var verified, out var error), error?.ToString());
            Assert.Equal(report.IngressPublicKey, verified.CustomIdentity);
            Assert.Equal(EnclaveProductId.Ingest, verified.Identity.ProductId);
        }
    }

    [Fact]
    public void New_keys_replace_both_keys_and_new_egress_key_only_the_egress_key()
    {
        using var enclave = _host.Create();
        var (ingress, egress) = (enclave.IngressPublicKey, enclave.EgressPublicKey);
        enclave.NewEgressKey();
        Assert.Equal(ingress, enclave.IngressPublicKey);
        Assert.NotEqual(egress, enclave.EgressPublicKey);
        egress = enclave.EgressPublicKey;
        enclave.NewKeys();
        Assert.NotEqual(ingress, enclave.IngressPublicKey);
        Assert.NotEqual(egress, enclave.EgressPublicKey);
    }

    [Fact]
    public void Active_enclave_pushes_its_ingress_key_to_a_backup_over_an_attested_channel()
    {
        using var active = _host.Create(responderId: "ingest-a");
        using var backup = _host.Create(responderId: "ingest-b");
        var channelId = Handshake(active, backup);

        Assert.True(active.TryEncryptIngressKeyForPeer(channelId, out var message, out var sent, out var error), error?.ToString());
        Assert.Equal(active.IngressPublicKey, sent);
        Assert.True(backup.TrySetIngressKeyFromPeer(message, out var changed, out error), error?.ToString());
        Assert.True(changed);
        Assert.Equal(active.IngressPublicKey, backup.IngressPublicKey);
        Assert.Equal(active.IngressPublicKey, backup.GetReport().IngressPublicKey);

        // Sending the same key again changes nothing; a replayed message is refused.
        Assert.True(active.TryEncryptIngressKeyForPeer(channelId, out var again, out _, out error));
        Assert.True(backup.TrySetIngressKeyFromPeer(again, out changed, out error));
        Assert.False(changed);
        Assert.False(backup.TrySetIngressKeyFromPeer(again, out _, out error));
        Assert.Equal(AttestErrorCode.DecryptionFailed, error.Code);
    }

    [Fact]
    public void Idle_enclave_pulls_the_ingress_key_from_a_remote_it_attested()
    {
        using var remote = _host.Create(responderId: "ingest-remote");
        using var idle = _host.Create(responderId: "ingest-idle");
        var channelId = Handshake(idle, remote);

        Assert.True(remote.TryEncryptIngressKeyForPeer(channelId, out var message, out _, out var error), error?.ToString());
        Assert.True(idle.TrySetIngressKeyFromPeer(message, out var changed, out error), error?.ToString());
        Assert.True(changed);
        Assert.Equal(remote.IngressPublicKey, idle.IngressPublicKey);
    }

    [Fact]
    public void Peer_of_another_build_cannot_attest_in_either_direction()
    {
        using var ours = _host.Create(responderId: "ingest-ours");
        using var theirs = _host.Create(responderId: "ingest-theirs", measurement: IngestTestHost.OtherMeasurement);

        using var handshake = theirs.StartPeerHandshake("ingest-ours");
        Assert.False(ours.TryAcceptPeer(handshake.Request, out _, out var error));
        Assert.Equal(AttestErrorCode.MeasurementNotAccepted, error.Code);

        using var outgoing = ours.StartPeerHandshake("ingest-theirs");
        Assert.False(theirs.TryAcceptPeer(outgoing.Request, out _, out error));
        Assert.Equal(AttestErrorCode.MeasurementNotAccepted, error.Code);

        // A channel id nobody opened cannot receive the key.
        Assert.False(ours.TryEncryptIngressKeyForPeer(new byte[64], out _, out _, out error));
        Assert.Equal(AttestErrorCode.UnknownChannel, error.Code);
    }

    [Fact]
    public void Handshake_with_the_wrong_responder_id_fails()
    {
        using var a = _host.Create(responderId: "ingest-a");
        using var b = _host.Create(responderId: "ingest-b");
        using var handshake = a.StartPeerHandshake("ingest-c");

        // IX message 1 is not encrypted, so the mismatch (the Noise prologue) shows when the initiator reads message 2.
        Assert.True(b.TryAcceptPeer(handshake.Request, out var response, out var error), error?.ToString());
        Assert.False(a.TryCompletePeerHandshake(handshake, response, out _, out error));
        Assert.Equal(AttestErrorCode.HandshakeDecryptionFailed, error.Code);
    }

    private static byte[] Handshake(IIngestEnclave initiator, IIngestEnclave responder)
    {
        using var handshake = initiator.StartPeerHandshake(responder.ResponderId);
        Assert.True(responder.TryAcceptPeer(handshake.Request, out var response, out var error), error?.ToString());
        Assert.True(initiator.TryCompletePeerHandshake(handshake, response, out var channelId, out error), error?.ToString());
        return channelId;
    }
}
