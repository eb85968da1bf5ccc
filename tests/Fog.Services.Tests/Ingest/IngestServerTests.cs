using Fog.Api.AccountIngest;
using Fog.Api.Attest;
using Fog.Api.External;
using Fog.Api.IngestCommon;
using Fog.Api.IngestPeer;
using Fog.Attestation.Evidence;
using Fog.Crypto.Ristretto;
using Fog.Services.Tests.Ingest.Support;
using Fog.Storage.Recovery;
using Fog.Testing.Ledger;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using AccountKey = Fog.Model.Keys.AccountKey;
using ReportData = Fog.Storage.Recovery.ReportData;

namespace Fog.Services.Tests.Ingest;

/// <summary>The ingest server's admin and peer APIs, what it writes to the recovery database, and its bad-input handling.</summary>
public sealed class IngestServerTests
{
    [Fact]
    public async Task Activation_registers_the_key_publishes_an_attested_report_and_records_rng_records_before_blocks()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var node = await cluster.StartAsync("a", o => o with { PubkeyExpiryWindow = 7 });
        cluster.Chain.Append([LedgerFixtures.RandomOutput()]);

        var active = await node.Admin.ActivateAsync(new Empty());
        Assert.Equal(IngestControllerMode.Active, active.Mode);
        var key = RistrettoPublic.From(active.IngressPubkey.Data.Span);

        // The key starts at the first block not yet in the ledger: ingest never scans blocks before its activation.
        var status = await cluster.Db.GetIngressKeyStatusAsync(key);
        Assert.Equal(2UL, status!.StartBlock);
        Assert.Equal(2UL + 7, status.PubkeyExpiry);

        // The report carries evidence binding the ingress key, verifiable under the ingest policy.
        var report = Assert.Single(await cluster.Db.GetAllReportsAsync());
        Assert.Equal("", report.FogReportId);
        var envelope = FogEvidenceEnvelope.Parser.ParseFrom(report.Data.Report.Span);
        var policy = new AttestationPolicy([node.Server.EnclaveIdentity.Measurement], EnclaveProductId.Ingest, trustedSimulationRoots: [node.Server.SimulationRootPublicKey]);
        Assert.True(new SimulatedEvidenceVerifier(policy).TryVerify(report.Data.Report.Span, envelope.FogSimulatedEvidence.ReportData.Key.Span, out var verified, out var error), error?.ToString());
        Assert.Equal(key.ToArray(), verified.CustomIdentity);

        using var bob = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)60, 32).ToArray());
        var block = cluster.Chain.Append([TestChain.FogOutput(bob.DefaultSubaddress, key.Bytes, 77), LedgerFixtures.RandomOutput()]);
        await cluster.WaitForChainAsync(node);

        var summary = await node.StatusAsync();
        var invocation = await cluster.Db.GetIngestInvocationAsync(summary.IngestInvocationId);
        Assert.NotNull(invocation);
        Assert.Equal(summary.EgressPubkey.ToByteArray(), invocation.EgressPublicKey.PublicKey.ToArray());
        Assert.Equal(2UL, invocation.StartBlock);
        var rng = Assert.Single((await RecoveryViewer.EventsAsync(cluster.Db)).OfType<NewRngRecordEvent>());
        Assert.Equal(summary.IngestInvocationId, rng.IngestInvocationId);

        var stored = Assert.Single(await cluster.Db.GetTxOutsByBlockRangeAndKeyAsync(key, new BlockRange(2, 10)));
        Assert.Equal(2, stored.Records.Count);
        Assert.Equal(block.Block.CumulativeTxoCount, stored.CumulativeTxoCount);
        Assert.Equal(block.Signature!.SignedAt, stored.SignatureTimestamp);
        Assert.All(stored.Records, r => Assert.Equal(237, r.Payload.Length));
        var found = Assert.Single(await RecoveryViewer.FindAsync(cluster.Db, bob));
        Assert.Equal(block.Block.CumulativeTxoCount - 2, found.GlobalIndex);
        Assert.Equal(block.Signature.SignedAt, found.Timestamp);
        Assert.Equal(2UL, found.BlockIndex);

        // Reports are refreshed before every block.
        cluster.Chain.Append([LedgerFixtures.RandomOutput()]);
        await cluster.WaitForChainAsync(node);
        Assert.Equal(3UL + 7, (await cluster.Db.GetAllReportsAsync())[0].Data.PubkeyExpiry);
    }

    [Fact]
    public async Task Counter_map_overflows_rotate_the_invocation_and_users_still_find_everything()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var node = await cluster.StartAsync("a", o => o with { UserCapacity = 128, MaxTransactions = 30 });
        var key = (await node.Admin.ActivateAsync(new Empty())).IngressPubkey.Data.ToByteArray();
        using var alice = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)61, 32).ToArray());
        using var bob = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)62, 32).ToArray());

        var expected = new Dictionary<string, int> { ["alice"] = 0, ["bob"] = 0 };
        for (var block = 0; block < 4; block++)
        {
            var outputs = Enumerable.Range(0, 60).Select(i => TestChain.FogOutput((i % 3 == 0 ? alice : bob).DefaultSubaddress, key, 5)).ToList();
            expected["alice"] += 20;
            expected["bob"] += 40;
            cluster.Chain.Append(outputs);
        }

        await cluster.WaitForChainAsync(node);
        var events = await RecoveryViewer.EventsAsync(cluster.Db);
        Assert.True(events.OfType<NewRngRecordEvent>().Count() > 1, "a 100-slot map must overflow within 240 TxOuts");
        Assert.Equal(events.OfType<NewRngRecordEvent>().Count() - 1, events.OfType<DecommissionedIngestInvocationEvent>().Count());
        Assert.Equal(expected["alice"], (await RecoveryViewer.FindAsync(cluster.Db, alice)).Count);
        Assert.Equal(expected["bob"], (await RecoveryViewer.FindAsync(cluster.Db, bob)).Count);
    }

    [Fact]
    public async Task A_server_saved_as_active_resumes_after_a_restart_from_the_first_block_it_had_not_stored()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var node = await cluster.StartAsync("a");
        var key = (await node.Admin.ActivateAsync(new Empty())).IngressPubkey.Data.ToByteArray();
        using var bob = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)63, 32).ToArray());
        cluster.Chain.Append([TestChain.FogOutput(bob.DefaultSubaddress, key, 1)]);
        await cluster.WaitForChainAsync(node);
        await node.StopAsync();

        // Blocks arrive while the server is down; it comes back active on its own and catches up under a new egress key.
        cluster.Chain.Append([TestChain.FogOutput(bob.DefaultSubaddress, key, 2)]);
        cluster.Chain.Append([TestChain.FogOutput(bob.DefaultSubaddress, key, 3)]);
        node = await cluster.StartAsync("a");
        await cluster.WaitForChainAsync(node);
        Assert.Equal(IngestControllerMode.Active, (await node.StatusAsync()).Mode);
        Assert.Equal(key, await node.IngressKeyAsync());
        Assert.Equal(2, (await RecoveryViewer.EventsAsync(cluster.Db)).OfType<NewRngRecordEvent>().Count());
        var values = new List<ulong>();
        foreach (var record in await RecoveryViewer.FindAsync(cluster.Db, bob))
        {
            Assert.Equal(Model.FogData.TxOutRecordError.None, record.TryRecover(bob.ViewPrivateKey, out _, out var amount));
            values.Add(amount.Value);
        }

        Assert.Equal(new ulong[] { 1, 2, 3 }, values.Order());
    }

    [Fact]
    public async Task An_invocation_decommissioned_elsewhere_is_replaced_and_the_block_redone_under_a_new_egress_key()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var node = await cluster.StartAsync("a");
        var key = (await node.Admin.ActivateAsync(new Empty())).IngressPubkey.Data.ToByteArray();
        using var bob = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)64, 32).ToArray());
        cluster.Chain.Append([TestChain.FogOutput(bob.DefaultSubaddress, key, 1)]);
        await cluster.WaitForChainAsync(node);
        var first = (await node.StatusAsync()).IngestInvocationId;

        // The cleanup tool (or an operator) closes the invocation while the server still runs.
        Assert.True(await cluster.Db.DecommissionIngestInvocationAsync(first));
        cluster.Chain.Append([TestChain.FogOutput(bob.DefaultSubaddress, key, 2)]);
        await cluster.WaitForChainAsync(node);

        var second = (await node.StatusAsync()).IngestInvocationId;
        Assert.NotEqual(first, second);
        Assert.Equal(second, await cluster.Db.GetInvocationIdByBlockAndKeyAsync(RistrettoPublic.From(key), cluster.Chain.NumBlocks - 1));
        Assert.Equal(2, (await RecoveryViewer.FindAsync(cluster.Db, bob)).Count);
    }

    [Fact]
    public async Task Admin_api_refuses_bad_input_with_actionable_statuses_and_keeps_serving()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var node = await cluster.StartAsync("a");
        var admin = node.Admin;

        await AssertStatusAsync(StatusCode.InvalidArgument, "ingest peer URIs use igp:// or insecure-igp://", () => admin.SetPeersAsync(Peers("http://x:1")).ResponseAsync);
        await AssertStatusAsync(StatusCode.InvalidArgument, "MissingOurResponderId", () => admin.SetPeersAsync(Peers("insecure-igp://127.0.0.1:9/?responder-id=other")).ResponseAsync);
        await AssertStatusAsync(StatusCode.InvalidArgument, "pubkey_expiry_window", () => admin.SetPubkeyExpiryWindowAsync(new SetPubkeyExpiryWindowRequest()).ResponseAsync);
        await AssertStatusAsync(StatusCode.InvalidArgument, "32-byte", () => admin.ReportLostIngressKeyAsync(new ReportLostIngressKeyRequest { Key = new CompressedRistretto { Data = ByteString.CopyFrom(1, 2) } }).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, "not in the recovery database", () => admin.ReportLostIngressKeyAsync(new ReportLostIngressKeyRequest { Key = new CompressedRistretto { Data = ByteString.CopyFrom(RistrettoPublic.BasePoint.Bytes) } }).ResponseAsync);
        await AssertStatusAsync(StatusCode.FailedPrecondition, "never activated", () => admin.RetireAsync(new Empty()).ResponseAsync);
        await AssertStatusAsync(StatusCode.InvalidArgument, "not a peer URI", () => admin.SyncKeysFromRemoteAsync(new SyncKeysFromRemoteRequest { PeerUri = "nonsense" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.Unavailable, "unreachable", () => admin.SyncKeysFromRemoteAsync(new SyncKeysFromRemoteRequest { PeerUri = "insecure-igp://127.0.0.1:1/" }).ResponseAsync);

        await admin.SetPubkeyExpiryWindowAsync(new SetPubkeyExpiryWindowRequest { PubkeyExpiryWindow = 20 });
        await admin.ActivateAsync(new Empty());
        await AssertStatusAsync(StatusCode.FailedPrecondition, "only raise", () => admin.SetPubkeyExpiryWindowAsync(new SetPubkeyExpiryWindowRequest { PubkeyExpiryWindow = 5 }).ResponseAsync);
        Assert.Equal(30UL, (await admin.SetPubkeyExpiryWindowAsync(new SetPubkeyExpiryWindowRequest { PubkeyExpiryWindow = 30 })).PubkeyExpiryWindow);
        await AssertStatusAsync(StatusCode.FailedPrecondition, "ServerNotIdle", () => admin.NewKeysAsync(new Empty()).ResponseAsync);
        await AssertStatusAsync(StatusCode.FailedPrecondition, "ServerNotIdle", () => admin.SyncKeysFromRemoteAsync(new SyncKeysFromRemoteRequest { PeerUri = node.PeerUri }).ResponseAsync);

        // Activating again is a no-op, and the server still works.
        Assert.Equal(IngestControllerMode.Active, (await admin.ActivateAsync(new Empty())).Mode);
        cluster.Chain.Append([LedgerFixtures.RandomOutput()]);
        await cluster.WaitForChainAsync(node);
    }

    [Fact]
    public async Task Peer_api_refuses_keys_without_an_attested_channel_and_while_active()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var node = await cluster.StartAsync("a");
        using var channel = GrpcChannel.ForAddress(node.Server.PeerGrpcUri);
        var peer = new AccountIngestPeerAPI.AccountIngestPeerAPIClient(channel);

        Assert.Equal(await node.IngressKeyAsync(), (await peer.GetStatusAsync(new Empty())).IngressPubkey.Data.ToByteArray());
        var forged = new Message { ChannelId = ByteString.CopyFrom(new byte[64]), Data = ByteString.CopyFrom(new byte[48]) };
        await AssertStatusAsync(StatusCode.PermissionDenied, "run Auth again", () => peer.SetIngressPrivateKeyAsync(forged).ResponseAsync);
        await AssertStatusAsync(StatusCode.InvalidArgument, "channel id", () => peer.GetIngressPrivateKeyAsync(new GetPrivateKeyRequest { ChannelId = ByteString.CopyFrom(1, 2, 3) }).ResponseAsync);
        await AssertStatusAsync(StatusCode.PermissionDenied, "run Auth again", () => peer.GetIngressPrivateKeyAsync(new GetPrivateKeyRequest { ChannelId = ByteString.CopyFrom(new byte[64]) }).ResponseAsync);
        await AssertStatusAsync(StatusCode.InvalidArgument, null, () => new AttestedApi.AttestedApiClient(channel).AuthAsync(new AuthMessage { Data = ByteString.CopyFrom(1, 2, 3) }).ResponseAsync);

        await node.Admin.ActivateAsync(new Empty());
        await AssertStatusAsync(StatusCode.FailedPrecondition, "ServerNotIdle", () => peer.SetIngressPrivateKeyAsync(forged).ResponseAsync);
    }

    [Fact]
    public async Task Admin_api_answers_only_on_the_client_port_and_the_peer_api_only_on_the_peer_port()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var node = await cluster.StartAsync("a");
        using var peerPort = GrpcChannel.ForAddress(node.Server.PeerGrpcUri);
        using var clientPort = GrpcChannel.ForAddress(node.Server.ClientUri);

        await Assert.ThrowsAsync<RpcException>(async () => await new AccountIngestAPI.AccountIngestAPIClient(peerPort).GetStatusAsync(new Empty()));
        await Assert.ThrowsAsync<RpcException>(async () => await new AccountIngestPeerAPI.AccountIngestPeerAPIClient(clientPort).GetStatusAsync(new Empty()));
        Assert.Equal(IngestControllerMode.Idle, (await new AccountIngestAPI.AccountIngestAPIClient(clientPort).GetStatusAsync(new Empty())).Mode);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(node.Server.MetricsUri!, "metrics"));
        Assert.Contains("fog_ingest_next_block_index", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lost_keys_become_missed_block_ranges_and_key_records_filter_as_the_reference()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var node = await cluster.StartAsync("a");
        var db = cluster.Db;
        RistrettoPublic NewKey() => RistrettoPublic.FromUniformBytes(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        var (retired, lost, current) = (NewKey(), NewKey(), NewKey());
        await db.NewIngressKeyAsync(retired, 123);
        await db.RetireIngressKeyAsync(retired, true);
        await db.NewIngressKeyAsync(lost, 456);
        await db.SetReportAsync(lost, "x", new ReportData(null, new byte[] { 1 }, 470));
        await db.NewIngressKeyAsync(current, 789);

        await node.Admin.ReportLostIngressKeyAsync(new ReportLostIngressKeyRequest { Key = new CompressedRistretto { Data = ByteString.CopyFrom(lost.Bytes) } });
        var missed = Assert.Single((await node.Admin.GetMissedBlockRangesAsync(new Empty())).MissedBlockRanges);
        Assert.Equal((456UL, 470UL), (missed.StartBlock, missed.EndBlock));

        async Task<string[]> RecordsAsync(GetIngressKeyRecordsRequest request) =>
            (await node.Admin.GetIngressKeyRecordsAsync(request)).Records.Select(r => Convert.ToHexString(r.IngressPublicKey.Data.Span)).ToArray();
        Assert.Equal([Convert.ToHexString(current.Bytes)], await RecordsAsync(new GetIngressKeyRecordsRequest()));
        Assert.Equal(3, (await RecordsAsync(new GetIngressKeyRecordsRequest { ShouldIncludeLostKeys = true, ShouldIncludeRetiredKeys = true })).Length);
        Assert.Equal(2, (await RecordsAsync(new GetIngressKeyRecordsRequest { StartBlockAtLeast = 200, ShouldIncludeLostKeys = true, ShouldIncludeRetiredKeys = true })).Length);
    }

    private static SetPeersRequest Peers(params string[] uris)
    {
        var request = new SetPeersRequest();
        request.IngestPeerUris.AddRange(uris);
        return request;
    }

    private static async Task AssertStatusAsync<T>(StatusCode code, string? detail, Func<Task<T>> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, error.StatusCode);
        if (detail is not null)
        {
            Assert.Contains(detail, error.Status.Detail, StringComparison.Ordinal);
        }
    }
}
