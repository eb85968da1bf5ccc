using Fog.Api.AccountIngest;
using Fog.Api.IngestCommon;
using Fog.Crypto.Ristretto;
using Fog.Model.Keys;
using Fog.Model.Transactions;
using Fog.Services.Tests.Ingest.Support;
using Fog.Storage.Recovery;
using Fog.Testing.Ledger;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Fog.Services.Tests.Ingest;

/// <summary>
/// The ingest server scenarios of reference/ingest.md §6 (items 8–13) over real gRPC and a real recovery database,
/// on SQLite and on PostgreSQL (skipped when FOG_TEST_POSTGRES is not set).
/// </summary>
public sealed class IngestScenarioTests
{
    public static TheoryData<string> Backends => IngestTestDatabase.Backends;

    // Item 8.
    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public async Task Users_recover_exactly_their_txouts_after_every_block_across_restarts_and_new_servers(string backend)
    {
        await using var cluster = await IngestCluster.CreateAsync(backend);
        var users = Enumerable.Range(0, 5).Select(i => AccountKey.FromRootEntropy(Enumerable.Repeat((byte)(40 + i), 32).ToArray())).ToArray();
        var expected = users.Select(_ => new Dictionary<string, ulong>()).ToArray();
        var random = new Random(8);

        // A fresh server, the same server restarted (same state file: same ingress key, new egress key), a new server.
        byte[]? firstKey = null;
        foreach (var (name, phase) in new[] { ("a", 0), ("a", 1), ("c", 2) })
        {
            var node = await cluster.StartAsync(name);
            await node.Admin.ActivateAsync(new Empty());
            var ingress = await node.IngressKeyAsync();
            firstKey ??= ingress;
            Assert.Equal(phase < 2, ingress.SequenceEqual(firstKey));

            for (var block = 0; block < 6; block++)
            {
                var outputs = new List<TxOut>();
                for (var i = random.Next(1, 12); i > 0; i--)
                {
                    if (random.Next(4) == 0)
                    {
                        outputs.Add(LedgerFixtures.RandomOutput());
                        continue;
                    }

                    var user = random.Next(users.Length);
                    var value = (ulong)random.Next(1, 1_000_000);
                    var output = TestChain.FogOutput(users[user].DefaultSubaddress, ingress, value);
                    outputs.Add(output);
                    expected[user][Convert.ToHexString(output.PublicKey)] = value;
                }

                cluster.Chain.Append(outputs);
                await cluster.WaitForChainAsync(node);
                await AssertRecoveredAsync(cluster.Db, users, expected);
            }

            await node.StopAsync();
        }

        // Every invocation a user needs is announced; each server run used its own egress key.
        var rngRecords = (await RecoveryViewer.EventsAsync(cluster.Db)).OfType<NewRngRecordEvent>().ToList();
        Assert.Equal(3, rngRecords.Count);
        Assert.Equal(3, rngRecords.Select(r => Convert.ToHexString(r.Pubkey.PublicKey.Span)).Distinct().Count());
        foreach (var user in users)
        {
            user.Dispose();
        }
    }

    // Item 9.
    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public async Task Sealed_ingress_key_survives_a_restart_and_a_deleted_state_file_gives_a_new_key(string backend)
    {
        await using var cluster = await IngestCluster.CreateAsync(backend);
        var node = await cluster.StartAsync("a");
        var key = await node.IngressKeyAsync();
        await node.StopAsync();

        node = await cluster.StartAsync("a");
        Assert.Equal(key, await node.IngressKeyAsync());
        await node.StopAsync();

        File.Delete(cluster.StateFile("a"));
        node = await cluster.StartAsync("a");
        Assert.NotEqual(key, await node.IngressKeyAsync());
        await node.StopAsync();

        // Sealed on this machine: another machine's sealing secret cannot unseal it, and the server says why.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.StartAsync("a", o => o with { SealingSecretPath = Path.Combine(cluster.Directory, "other-machine.key") }));
        Assert.Contains("cannot be unsealed", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(cluster.StateFile("a") + ".bak"));

        // A state file that does not parse is moved aside and the server starts fresh.
        await File.WriteAllBytesAsync(cluster.StateFile("a"), [0xff, 0xff, 0xff]);
        node = await cluster.StartAsync("a");
        Assert.Equal(IngestControllerMode.Idle, (await node.StatusAsync()).Mode);
        await node.StopAsync();
    }

    // Item 10.
    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public async Task Activating_one_server_shares_its_key_with_every_peer_and_no_peer_can_then_activate(string backend)
    {
        await using var cluster = await IngestCluster.CreateAsync(backend);
        var names = Enumerable.Range(0, 5).Select(i => $"n{i}").ToArray();
        foreach (var name in names)
        {
            await cluster.StartAsync(name);
        }

        await cluster.SetPeersAsync(names);
        var keys = new List<byte[]>();
        foreach (var name in names)
        {
            keys.Add(await cluster[name].IngressKeyAsync());
        }

        Assert.Equal(5, keys.Select(Convert.ToHexString).Distinct().Count());

        await cluster["n0"].Admin.ActivateAsync(new Empty());
        foreach (var name in names)
        {
            Assert.Equal(keys[0], await cluster[name].IngressKeyAsync());
            Assert.Equal(5, (await cluster[name].StatusAsync()).Peers.Count);
        }

        foreach (var name in names[1..])
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await cluster[name].Admin.ActivateAsync(new Empty()));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains("AnotherActivePeer", refused.Status.Detail, StringComparison.Ordinal);
        }

        // n0 comes back as a fresh server with a new key; activating n1 pushes the original key back to it.
        await cluster["n0"].StopAsync();
        File.Delete(cluster.StateFile("n0"));
        await cluster.StartAsync("n0");
        Assert.NotEqual(keys[0], await cluster["n0"].IngressKeyAsync());
        await cluster.SetPeersAsync(names);
        await cluster["n1"].Admin.ActivateAsync(new Empty());
        Assert.Equal(keys[0], await cluster["n0"].IngressKeyAsync());
        foreach (var name in names.Where(n => n != "n1"))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await cluster[name].Admin.ActivateAsync(new Empty()));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        }
    }

    // Item 11.
    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public async Task Backup_syncs_the_primary_key_and_the_primarys_checkup_restores_it_after_new_keys(string backend)
    {
        await using var cluster = await IngestCluster.CreateAsync(backend);
        var primary = await cluster.StartAsync("primary", o => o with { PeerCheckupPeriod = TimeSpan.FromMilliseconds(300) });
        var backup = await cluster.StartAsync("backup");
        await cluster.SetPeersAsync("primary", "backup");
        var key = await primary.IngressKeyAsync();

        var synced = await backup.Admin.SyncKeysFromRemoteAsync(new SyncKeysFromRemoteRequest { PeerUri = primary.PeerUri });
        Assert.Equal(key, synced.IngressPubkey.Data.ToByteArray());

        await primary.Admin.ActivateAsync(new Empty());
        var renewed = await backup.Admin.NewKeysAsync(new Empty());
        Assert.NotEqual(key, renewed.IngressPubkey.Data.ToByteArray());
        await IngestCluster.WaitUntilAsync(async () => (await backup.IngressKeyAsync()).SequenceEqual(key), "the primary's checkup restored its key on the backup");

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await primary.Admin.NewKeysAsync(new Empty()));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(key, await primary.IngressKeyAsync());
    }

    // Item 12.
    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public async Task Retired_key_is_scanned_to_its_expiry_then_the_server_goes_idle_and_no_server_can_activate_it(string backend)
    {
        await using var cluster = await IngestCluster.CreateAsync(backend);
        string[] names = ["n0", "n1", "n2"];
        foreach (var name in names)
        {
            await cluster.StartAsync(name);
        }

        await cluster.SetPeersAsync(names);
        var n0 = cluster["n0"];
        await n0.Admin.ActivateAsync(new Empty());
        var key = await n0.IngressKeyAsync();
        foreach (var name in names[1..])
        {
            await Assert.ThrowsAsync<RpcException>(async () => await cluster[name].Admin.ActivateAsync(new Empty()));
        }

        await AppendAsync(cluster, n0, 10);
        await n0.Admin.RetireAsync(new Empty());
        Assert.Equal(IngestControllerMode.Active, (await n0.StatusAsync()).Mode);

        // The last report promised senders the key until the block 10 (the expiry window) after the next one.
        await AppendAsync(cluster, n0, 10);
        Assert.Equal(IngestControllerMode.Active, (await n0.StatusAsync()).Mode);
        var next = (await n0.StatusAsync()).NextBlockIndex;
        var status = await cluster.Db.GetIngressKeyStatusAsync(RistrettoPublic.From(key));
        Assert.True(status!.Retired);
        Assert.Equal(next - 1, status.PubkeyExpiry);

        cluster.Chain.Append([LedgerFixtures.RandomOutput()]);
        await IngestCluster.WaitUntilAsync(async () => (await n0.StatusAsync()).Mode == IngestControllerMode.Idle, "n0 went idle after the expiry");
        Assert.Equal(next, (await n0.StatusAsync()).NextBlockIndex);

        foreach (var name in names)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await cluster[name].Admin.ActivateAsync(new Empty()));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains($"KeyAlreadyRetired: ingress key {Convert.ToHexStringLower(key)}", refused.Status.Detail, StringComparison.Ordinal);
        }
    }

    // Item 13.
    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public async Task Two_active_servers_sharing_a_key_are_fenced_by_the_database(string backend)
    {
        await using var cluster = await IngestCluster.CreateAsync(backend);
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b");
        var c = await cluster.StartAsync("c");
        foreach (var follower in new[] { b, c })
        {
            await follower.Admin.SyncKeysFromRemoteAsync(new SyncKeysFromRemoteRequest { PeerUri = a.PeerUri });
        }

        var key = await a.IngressKeyAsync();
        var egressBefore = new Dictionary<string, byte[]>();
        foreach (var node in new[] { a, b, c })
        {
            Assert.Equal(key, await node.IngressKeyAsync());
            await node.Admin.ActivateAsync(new Empty());
            egressBefore[node.Name] = (await node.StatusAsync()).EgressPubkey.ToByteArray();
        }

        cluster.Chain.Append([LedgerFixtures.RandomOutput(), LedgerFixtures.RandomOutput()]);
        var blockIndex = cluster.Chain.NumBlocks - 1;
        await IngestCluster.WaitUntilAsync(
            async () =>
            {
                var summaries = await Task.WhenAll(new[] { a, b, c }.Select(n => n.StatusAsync()));
                return summaries.Count(s => s.Mode == IngestControllerMode.Active) == 1;
            },
            "exactly one server stayed active");

        var nodes = new[] { a, b, c };
        var statuses = await Task.WhenAll(nodes.Select(n => n.StatusAsync()));
        var winner = nodes[Array.FindIndex(statuses, s => s.Mode == IngestControllerMode.Active)];
        var winnerStatus = await winner.StatusAsync();
        Assert.Equal(winnerStatus.IngestInvocationId, await cluster.Db.GetInvocationIdByBlockAndKeyAsync(RistrettoPublic.From(key), blockIndex));
        var losers = nodes.Where(n => n != winner).ToList();
        foreach (var loser in losers)
        {
            var status = await loser.StatusAsync();
            Assert.Equal(IngestControllerMode.Idle, status.Mode);
            Assert.Equal(0, status.IngestInvocationId);
            Assert.NotEqual(egressBefore[loser.Name], status.EgressPubkey.ToByteArray());
        }

        // The winner stops; a loser takes over from the next block.
        await winner.StopAsync();
        var successor = losers[0];
        await successor.Admin.ActivateAsync(new Empty());
        cluster.Chain.Append([LedgerFixtures.RandomOutput()]);
        await cluster.WaitForChainAsync(successor);
        Assert.Equal(cluster.Chain.NumBlocks, (await successor.StatusAsync()).NextBlockIndex);
        Assert.Equal((await successor.StatusAsync()).IngestInvocationId, await cluster.Db.GetInvocationIdByBlockAndKeyAsync(RistrettoPublic.From(key), cluster.Chain.NumBlocks - 1));
    }

    private static async Task AppendAsync(IngestCluster cluster, IngestNode node, int blocks)
    {
        for (var i = 0; i < blocks; i++)
        {
            cluster.Chain.Append([LedgerFixtures.RandomOutput()]);
        }

        await cluster.WaitForChainAsync(node);
    }

    private static async Task AssertRecoveredAsync(IRecoveryDb db, AccountKey[] users, Dictionary<string, ulong>[] expected)
    {
        for (var u = 0; u < users.Length; u++)
        {
            var found = await RecoveryViewer.FindAsync(db, users[u]);
            var byKey = new Dictionary<string, ulong>();
            foreach (var record in found)
            {
                Assert.Equal(Model.FogData.TxOutRecordError.None, record.TryRecover(users[u].ViewPrivateKey, out var txOut, out var amount));
                byKey.Add(Convert.ToHexString(txOut!.PublicKey), amount.Value);
            }

            Assert.Equal(expected[u].OrderBy(p => p.Key), byKey.OrderBy(p => p.Key));
        }
    }
}
