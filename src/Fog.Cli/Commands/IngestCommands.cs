using System.CommandLine;
using System.Text.Json;
using Fog.Api.AccountIngest;
using Fog.Api.IngestCommon;
using Fog.Services.Ingest;
using Fog.Storage.Recovery;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Fog.Cli.Commands;

/// <summary><c>fog serve ingest</c> and <c>fog ingest …</c>: run the ingest server, and administer one.</summary>
internal static class IngestCommands
{
    private const string DefaultAdmin = "insecure-fog://127.0.0.1:4200";

    /// <summary><c>fog serve ingest</c>.</summary>
    internal static Command Serve()
    {
        var listen = new Option<string>("--listen") { Description = "Admin API endpoint (account_ingest.AccountIngestAPI, the ingest server's client API).", DefaultValueFactory = _ => "127.0.0.1:4200" };
        var peerListen = new Option<string>("--peer-listen") { Description = "Peer API endpoint (ingest_peer.AccountIngestPeerAPI and peer attestation).", DefaultValueFactory = _ => "127.0.0.1:8090" };
        var metrics = new Option<string>("--metrics") { Description = "Prometheus endpoint (/metrics, HTTP/1.1).", DefaultValueFactory = _ => "127.0.0.1:4401" };
        var responderId = new Option<string?>("--peer-responder-id") { Description = "This server's responder id in peer lists (default: the --peer-listen host:port)." };
        var ledger = new Option<string?>("--ledger") { Description = "Follow a node's LMDB ledger directory on this machine." };
        var node = new Option<string?>("--node") { Description = "Follow a node over gRPC (e.g. insecure-fog://127.0.0.1:3200), copying its chain to --ledger-copy." };
        var ledgerCopy = new Option<string>("--ledger-copy") { Description = "Where the chain of --node is copied.", DefaultValueFactory = _ => "fog-ingest-ledger" };
        var recoveryDb = ServeCommands.RecoveryDbOption();
        var stateFile = new Option<string>("--state-file") { Description = "State file: summary and sealed ingress key.", DefaultValueFactory = _ => "fog-ingest-state" };
        var root = ServeCommands.SimulationRootOption();
        var sealing = new Option<string>("--sealing-secret") { Description = "Machine sealing secret file (created 0600 when missing).", DefaultValueFactory = _ => "fog-sealing.key" };
        var capacity = new Option<ulong>("--user-capacity") { Description = "Desired capacity of the RNG counter map, a power of two; about 70% fills before the egress key rotates.", DefaultValueFactory = _ => 1UL << 18 };
        var maxTransactions = new Option<int>("--max-transactions") { Description = "TxOuts per enclave call (chunk size).", DefaultValueFactory = _ => 100_000 };
        var window = new Option<ulong>("--pubkey-expiry-window") { Description = "Blocks after the next one during which senders may use the published key.", DefaultValueFactory = _ => 10 };
        var checkup = new Option<double>("--peer-checkup-seconds") { Description = "Seconds between an active server's checks of its peers.", DefaultValueFactory = _ => 60 };
        var reportId = new Option<string>("--fog-report-id") { Description = "Report id to publish under.", DefaultValueFactory = _ => "" };
        var peers = new Option<string[]>("--peers") { Description = "Peer URIs (insecure-igp://host:port/?responder-id=…), this server's own included.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("ingest", "Run fog ingest: tags every TxOut of the chain with its recipient's next search key inside the (simulated) enclave and writes the records to the recovery DB.")
        {
            listen, peerListen, metrics, responderId, ledger, node, ledgerCopy, recoveryDb, stateFile, root, sealing, capacity, maxTransactions, window, checkup, reportId, peers,
        };
        var logging = new ServeLogging().AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if ((parse.GetValue(ledger) is null) == (parse.GetValue(node) is null))
            {
                throw new CliException("serve ingest: give exactly one of --ledger <LMDB directory> or --node <node endpoint>");
            }

            var connection = ServeCommands.RecoveryDb(parse, recoveryDb);

            var options = new IngestServerOptions
            {
                LogLevel = logging.Level(parse),
                JsonLogs = logging.Json(parse),
                Listen = CliInput.Endpoint("--listen", parse.GetValue(listen)),
                PeerListen = CliInput.Endpoint("--peer-listen", parse.GetValue(peerListen)),
                Metrics = CliInput.Endpoint("--metrics", parse.GetValue(metrics)),
                PeerResponderId = CliInput.ResponderId("--peer-responder-id", parse.GetValue(responderId), "--peer-listen", parse.GetValue(peerListen)),
                LedgerPath = parse.GetValue(ledger),
                NodeUri = parse.GetValue(node) is { } nodeText ? CliInput.Endpoint("--node", nodeText).ClientUri : null,
                LedgerCopyPath = parse.GetValue(ledgerCopy)!,
                RecoveryDb = connection,
                StateFilePath = parse.GetValue(stateFile)!,
                SimulationRootPath = parse.GetValue(root)!,
                SealingSecretPath = parse.GetValue(sealing)!,
                UserCapacity = parse.GetValue(capacity),
                MaxTransactions = parse.GetValue(maxTransactions),
                PubkeyExpiryWindow = parse.GetValue(window),
                PeerCheckupPeriod = TimeSpan.FromSeconds(parse.GetValue(checkup)),
                FogReportId = parse.GetValue(reportId)!,
                Peers = parse.GetValue(peers) ?? [],
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }

            IngestServer server;
            try
            {
                server = await IngestServer.StartAsync(options, cancellationToken);
            }
            catch (RecoveryDbException e)
            {
                throw new CliException($"the recovery database {connection} cannot be used: {e.Message}", FogCommand.Failure);
            }
            catch (Exception e) when (e is InvalidOperationException or DirectoryNotFoundException or ArgumentException or IOException)
            {
                throw new CliException(e.Message, FogCommand.Failure);
            }

            await using (server)
            {
                var summary = server.Summary;
                return await ServeCommands.RunUntilStoppedAsync(
                    parse,
                    server.WaitForShutdownAsync,
                    cancellationToken,
                    $"Fog ingest serving its admin API on {server.ClientUri} and its peer API on {server.PeerUri} (metrics {server.MetricsUri}metrics); recovery DB {connection}.",
                    $"Ingest enclave measurement {server.EnclaveIdentity.Measurement.ToHex()} (SIMULATION MODE); ingress key {Convert.ToHexStringLower(summary.IngressPubkey.Data.Span)}; {summary.Mode}.",
                    "Activate it with `fog ingest activate`.");
            }
        });
        return command;
    }

    /// <summary><c>fog ingest …</c>.</summary>
    internal static Command Build()
    {
        var ingest = new Command("ingest", "Administer an ingest server through its admin API.");
        ingest.Subcommands.Add(Simple("status", "Mode, next block, keys, peers and invocation of the server.", (c, ct) => c.GetStatusAsync(new Empty(), cancellationToken: ct).ResponseAsync));
        ingest.Subcommands.Add(Simple("activate", "Start ingesting (shares the ingress key with idle peers first; fails if a peer is active).", (c, ct) => c.ActivateAsync(new Empty(), cancellationToken: ct).ResponseAsync));
        ingest.Subcommands.Add(Simple("retire", "Stop publishing the key: the server scans up to its expiry, then goes idle.", (c, ct) => c.RetireAsync(new Empty(), cancellationToken: ct).ResponseAsync));
        ingest.Subcommands.Add(Simple("unretire", "Undo retire.", (c, ct) => c.UnretireAsync(new Empty(), cancellationToken: ct).ResponseAsync));
        ingest.Subcommands.Add(Simple("new-keys", "New ingress and egress keys (idle servers only).", (c, ct) => c.NewKeysAsync(new Empty(), cancellationToken: ct).ResponseAsync));
        ingest.Subcommands.Add(SetWindow());
        ingest.Subcommands.Add(SetPeers());
        ingest.Subcommands.Add(SyncKeys());
        ingest.Subcommands.Add(ReportLost());
        ingest.Subcommands.Add(MissedBlocks());
        ingest.Subcommands.Add(KeyRecords());
        return ingest;
    }

    private static Option<string> AdminOption() =>
        new("--ingest") { Description = "The ingest server's admin endpoint.", DefaultValueFactory = _ => DefaultAdmin };

    private static Command Simple(string name, string description, Func<AccountIngestAPI.AccountIngestAPIClient, CancellationToken, Task<IngestSummary>> call)
    {
        var admin = AdminOption();
        var command = new Command(name, description) { admin };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, admin, async (client, ct) => WriteSummary(parse, await call(client, ct)), cancellationToken));
        return command;
    }

    private static Command SetWindow()
    {
        var admin = AdminOption();
        var blocks = new Argument<ulong>("blocks") { Description = "Blocks after the next one during which senders may use the key (an active server may only raise it)." };
        var command = new Command("set-pubkey-expiry-window", "Set the pubkey expiry window.") { blocks, admin };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, admin, async (client, ct) =>
            WriteSummary(parse, await client.SetPubkeyExpiryWindowAsync(new SetPubkeyExpiryWindowRequest { PubkeyExpiryWindow = parse.GetValue(blocks) }, cancellationToken: ct)), cancellationToken));
        return command;
    }

    private static Command SetPeers()
    {
        var admin = AdminOption();
        var uris = new Argument<string[]>("peer-uris") { Description = "insecure-igp://host:port/?responder-id=… URIs, this server's own included.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("set-peers", "Replace the server's peer list.") { uris, admin };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, admin, async (client, ct) =>
        {
            var request = new SetPeersRequest();
            foreach (var uri in parse.GetValue(uris) ?? [])
            {
                if (!IngestPeerUri.TryParse(uri, out _, out var error))
                {
                    throw CliException.BadArgument("peer-uris", error);
                }

                request.IngestPeerUris.Add(uri);
            }

            WriteSummary(parse, await client.SetPeersAsync(request, cancellationToken: ct));
        }, cancellationToken));
        return command;
    }

    private static Command SyncKeys()
    {
        var admin = AdminOption();
        var peer = new Argument<string>("peer-uri") { Description = "The peer URI of the server whose ingress key to copy." };
        var command = new Command("sync-keys-from-remote", "Copy another server's ingress key over an attested channel (idle servers only); prints the new summary.") { peer, admin };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, admin, async (client, ct) =>
        {
            var uri = parse.GetValue(peer);
            if (!IngestPeerUri.TryParse(uri, out _, out var error))
            {
                throw CliException.BadArgument("peer-uri", error);
            }

            WriteSummary(parse, await client.SyncKeysFromRemoteAsync(new SyncKeysFromRemoteRequest { PeerUri = uri }, cancellationToken: ct));
        }, cancellationToken));
        return command;
    }

    private static Command ReportLost()
    {
        var admin = AdminOption();
        var key = new Argument<string>("ingress-public-key") { Description = "The lost ingress public key, hex." };
        var command = new Command("report-lost-key", "Mark an ingress key lost: the blocks it promised but did not scan are announced as missed.") { key, admin };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, admin, async (client, ct) =>
        {
            var publicKey = CliInput.PublicKey("ingress-public-key", parse.GetValue(key));
            await client.ReportLostIngressKeyAsync(new ReportLostIngressKeyRequest { Key = new Api.External.CompressedRistretto { Data = ByteString.CopyFrom(publicKey.Bytes) } }, cancellationToken: ct);
            CliOutput.Json(parse.InvocationConfiguration.Output, json => json.WriteHex("lost_ingress_public_key", publicKey.Bytes));
        }, cancellationToken));
        return command;
    }

    private static Command MissedBlocks()
    {
        var admin = AdminOption();
        var command = new Command("missed-blocks", "Block ranges fog will never scan (clients scan them themselves).") { admin };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, admin, async (client, ct) =>
        {
            var response = await client.GetMissedBlockRangesAsync(new Empty(), cancellationToken: ct);
            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteStartArray("missed_block_ranges");
                foreach (var range in response.MissedBlockRanges)
                {
                    json.WriteStartObject();
                    json.WriteNumber("start_block", range.StartBlock);
                    json.WriteNumber("end_block", range.EndBlock);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            });
        }, cancellationToken));
        return command;
    }

    private static Command KeyRecords()
    {
        var admin = AdminOption();
        var startAtLeast = new Option<ulong>("--start-block-at-least") { Description = "Only keys starting at this block or later." };
        var lost = new Option<bool>("--include-lost") { Description = "Include keys reported lost." };
        var retired = new Option<bool>("--include-retired") { Description = "Include retired keys." };
        var unexpired = new Option<bool>("--only-unexpired") { Description = "Only keys that scanned something and are below their expiry." };
        var command = new Command("key-records", "Ingress key records from the recovery DB (by default: neither lost nor retired).") { admin, startAtLeast, lost, retired, unexpired };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, admin, async (client, ct) =>
        {
            var response = await client.GetIngressKeyRecordsAsync(
                new GetIngressKeyRecordsRequest
                {
                    StartBlockAtLeast = parse.GetValue(startAtLeast),
                    ShouldIncludeLostKeys = parse.GetValue(lost),
                    ShouldIncludeRetiredKeys = parse.GetValue(retired),
                    ShouldOnlyIncludeUnexpiredKeys = parse.GetValue(unexpired),
                },
                cancellationToken: ct);
            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteStartArray("records");
                foreach (var record in response.Records)
                {
                    json.WriteStartObject();
                    json.WriteHex("ingress_public_key", record.IngressPublicKey.Data.Span);
                    json.WriteNumber("start_block", record.StartBlock);
                    json.WriteNumber("pubkey_expiry", record.PubkeyExpiry);
                    json.WriteBoolean("retired", record.Retired);
                    json.WriteBoolean("lost", record.Lost);
                    json.WriteNumber("last_scanned_block", record.LastScannedBlock);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            });
        }, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Option<string> admin, Func<AccountIngestAPI.AccountIngestAPIClient, CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var endpoint = CliInput.Endpoint("--ingest", parse.GetValue(admin));
        using var channel = GrpcChannel.ForAddress(endpoint.ClientUri);
        try
        {
            await call(new AccountIngestAPI.AccountIngestAPIClient(channel), cancellationToken);
        }
        catch (RpcException e)
        {
            throw new CliException($"the ingest server at {endpoint} answered {e.StatusCode}: {e.Status.Detail}", FogCommand.Failure);
        }

        return FogCommand.Success;
    }

    private static void WriteSummary(ParseResult parse, IngestSummary summary) =>
        CliOutput.Json(parse.InvocationConfiguration.Output, json => WriteSummary(json, summary));

    private static void WriteSummary(Utf8JsonWriter json, IngestSummary summary)
    {
        json.WriteString("mode", summary.Mode == IngestControllerMode.Active ? "active" : "idle");
        json.WriteNumber("next_block_index", summary.NextBlockIndex);
        json.WriteNumber("pubkey_expiry_window", summary.PubkeyExpiryWindow);
        json.WriteHex("ingress_pubkey", summary.IngressPubkey is { } ingress ? ingress.Data.Span : default);
        json.WriteHex("egress_pubkey", summary.EgressPubkey.Span);
        json.WriteNumber("kex_rng_version", summary.KexRngVersion);
        json.WriteNumber("ingest_invocation_id", summary.IngestInvocationId);
        json.WriteStartArray("peers");
        foreach (var peer in summary.Peers)
        {
            json.WriteStringValue(peer);
        }

        json.WriteEndArray();
    }
}
