using System.CommandLine;
using Fog.Services.BlockSources;
using Fog.Services.Ledger;

namespace Fog.Cli.Commands;

/// <summary><c>fog serve ledger</c>: the fog ledger server.</summary>
internal static class LedgerCommands
{
    /// <summary><c>fog serve ledger</c>.</summary>
    internal static Command Serve()
    {
        var listen = new Option<string>("--listen") { Description = "Client API endpoint (key images, outputs, blocks, TxOut lookup).", DefaultValueFactory = _ => "127.0.0.1:7200" };
        var metrics = new Option<string>("--metrics") { Description = "Prometheus endpoint (/metrics, HTTP/1.1).", DefaultValueFactory = _ => "127.0.0.1:7601" };
        var ledger = new Option<string?>("--ledger") { Description = "Read a node's LMDB ledger directory on this machine." };
        var node = new Option<string?>("--node") { Description = "Follow a remote node's client endpoint instead (with --ledger-copy)." };
        var copy = new Option<string>("--ledger-copy") { Description = "With --node: the local LMDB copy of its chain (resumed after restarts).", DefaultValueFactory = _ => "fog-ledger-copy" };
        var root = ServeCommands.SimulationRootOption();
        var responderId = new Option<string?>("--responder-id") { Description = "The responder id clients attest with (default: the --listen host:port)." };
        var capacity = new Option<ulong>("--omap-capacity") { Description = "Key images the enclave's oblivious map holds (about 75% usable; restart larger when full).", DefaultValueFactory = _ => 1UL << 20 };
        var maxKeyImages = new Option<int>("--max-key-images") { Description = "Most key images one check may carry.", DefaultValueFactory = _ => 1000 };
        var maxOutputs = new Option<int>("--max-outputs") { Description = "Most indices one GetOutputs request may carry.", DefaultValueFactory = _ => LedgerServerOptions.DefaultMaxOutputsPerRequest };
        var command = new Command("ledger", "Run fog ledger: oblivious key-image checks, outputs with membership proofs, blocks for fallback scanning.")
        {
            listen, metrics, ledger, node, copy, root, responderId, capacity, maxKeyImages, maxOutputs,
        };
        var logging = new ServeLogging().AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new LedgerServerOptions
            {
                LogLevel = logging.Level(parse),
                JsonLogs = logging.Json(parse),
                Listen = CliInput.Endpoint("--listen", parse.GetValue(listen)),
                Metrics = CliInput.Endpoint("--metrics", parse.GetValue(metrics)),
                SimulationRootPath = parse.GetValue(root)!,
                ResponderId = CliInput.ResponderId("--responder-id", parse.GetValue(responderId), "--listen", parse.GetValue(listen)),
                OmapCapacity = parse.GetValue(capacity),
                MaxKeyImagesPerQuery = parse.GetValue(maxKeyImages),
                MaxOutputsPerRequest = parse.GetValue(maxOutputs),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }

            var ledgerPath = parse.GetValue(ledger);
            var nodeText = parse.GetValue(node);
            if ((ledgerPath is null) == (nodeText is null))
            {
                throw new CliException("serve ledger: give exactly one of --ledger <directory> or --node <endpoint>");
            }

            // The follower logs (retries, divergence) beside the server's own logging, with the same settings.
            using var followerLogs = logging.CreateFactory(parse);
            IBlockSource source;
            string from;
            try
            {
                if (ledgerPath is not null)
                {
                    source = new LocalBlockSource(ledgerPath);
                    from = $"ledger {Path.GetFullPath(ledgerPath)}";
                }
                else
                {
                    var endpoint = CliInput.Endpoint("--node", nodeText);
                    var copyPath = parse.GetValue(copy)!;
                    source = new RemoteBlockSource(endpoint.ClientUri, copyPath, followerLogs.CreateLogger("Fog.Ledger.Follower"));
                    from = $"node {endpoint} (copy in {Path.GetFullPath(copyPath)})";
                }
            }
            catch (Exception e) when (e is DirectoryNotFoundException or DllNotFoundException or InvalidDataException)
            {
                throw new CliException(e.Message, FogCommand.Failure);
            }

            await using var server = await LedgerServer.StartAsync(options, source, cancellationToken);
            return await ServeCommands.RunUntilStoppedAsync(
                parse,
                server.WaitForShutdownAsync,
                cancellationToken,
                $"Fog ledger serving {server.ClientUri} (responder id {server.ResponderId}; metrics {server.MetricsUri}metrics); reading {from}.",
                $"Ledger enclave measurement {server.EnclaveIdentity.Measurement.ToHex()} (SIMULATION MODE). Key-image checks are refused as not ready until the chain is loaded.");
        });
        return command;
    }
}
