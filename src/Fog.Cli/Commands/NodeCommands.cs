using System.CommandLine;
using Fog.Api.Node;
using Fog.Attestation.Evidence;
using Fog.Client.Reports;
using Fog.Model.Addresses;
using Fog.Node;
using Fog.Storage.Ledger;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Fog.Cli.Commands;

/// <summary><c>fog serve node</c> and <c>fog node …</c>: run the dev node, and talk to one.</summary>
internal static class NodeCommands
{
    /// <summary><c>fog serve node</c>.</summary>
    internal static Command Serve()
    {
        var listen = new Option<string>("--listen") { Description = "Client API endpoint (consensus, blockchain, node API).", DefaultValueFactory = _ => "127.0.0.1:3200" };
        var admin = new Option<string>("--admin") { Description = "Admin gRPC endpoint (faucet).", DefaultValueFactory = _ => "127.0.0.1:3400" };
        var metrics = new Option<string>("--metrics") { Description = "Prometheus endpoint (/metrics, HTTP/1.1).", DefaultValueFactory = _ => "127.0.0.1:3401" };
        var ledger = new Option<string>("--ledger") { Description = "Ledger directory (LMDB); created with an origin block funding the faucet when empty.", DefaultValueFactory = _ => "fog-node-ledger" };
        var interval = new Option<double>("--block-interval") { Description = "Seconds between blocks at most; an idle node forms one as soon as a transaction arrives.", DefaultValueFactory = _ => 1.0 };
        var version = new Option<uint>("--block-version") { Description = "Block version of new blocks.", DefaultValueFactory = _ => Model.Transactions.BlockVersion.Max.Value };
        var root = ServeCommands.SimulationRootOption();
        var command = new Command("node", "Run the dev node: a single-node stand-in for consensus with a faucet.") { listen, admin, metrics, ledger, interval, version, root };
        var logging = new ServeLogging().AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new NodeOptions
            {
                LogLevel = logging.Level(parse),
                JsonLogs = logging.Json(parse),
                Listen = CliInput.Endpoint("--listen", parse.GetValue(listen)),
                Admin = CliInput.Endpoint("--admin", parse.GetValue(admin)),
                Metrics = CliInput.Endpoint("--metrics", parse.GetValue(metrics)),
                LedgerPath = parse.GetValue(ledger)!,
                BlockInterval = TimeSpan.FromSeconds(parse.GetValue(interval)),
                BlockVersion = new Model.Transactions.BlockVersion(parse.GetValue(version)),
                SimulationRootPath = parse.GetValue(root)!,
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }

            var store = OpenLedger(options.LedgerPath);
            await using var server = await NodeServer.StartAsync(options, store, cancellationToken);
            return await ServeCommands.RunUntilStoppedAsync(
                parse,
                server.WaitForShutdownAsync,
                cancellationToken,
                $"Fog dev node serving {server.ClientUri} (admin {server.AdminUri}, metrics {server.MetricsUri}metrics); ledger {Path.GetFullPath(options.LedgerPath)}.",
                $"Faucet address: {server.Node.FaucetAddress.ToB58()}",
                $"Faucet mnemonic (dev only, public): {Faucet.Mnemonic}");
        });
        return command;
    }

    /// <summary><c>fog node …</c>.</summary>
    internal static Command Build()
    {
        var node = new Command("node", "Talk to a dev node.");
        node.Subcommands.Add(FaucetCommand());
        node.Subcommands.Add(InfoCommand());
        return node;
    }

    /// <summary>Opens the LMDB ledger, turning a missing native library into a clear error.</summary>
    internal static LmdbLedgerStore OpenLedger(string path)
    {
        try
        {
            return LmdbLedgerStore.Open(path);
        }
        catch (DllNotFoundException e)
        {
            throw new CliException(e.Message, FogCommand.Failure);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message, FogCommand.Failure);
        }
    }

    private static Command FaucetCommand()
    {
        var address = new Argument<string>("b58-address") { Description = "The address to pay." };
        var amount = new Argument<string>("amount") { Description = "picoMOB, or e.g. 10MOB." };
        var admin = new Option<string>("--node-admin") { Description = "The node's admin endpoint.", DefaultValueFactory = _ => "insecure-fog://127.0.0.1:3400" };
        var ingress = new Option<string>("--fog-ingress-key") { Description = "For a fog address: the ingress public key, hex (default: resolved from the address's fog report, checked against --network)." };
        var network = WalletCommands.NetworkOption();
        var command = new Command("faucet", "Pay an address from the dev node's faucet with a real transaction; waits until it is in a block.") { address, amount, admin, ingress, network };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var b58 = parse.GetValue(address) ?? "";
            if (!PublicAddress.TryParseB58(b58, out var recipient, out var parseError))
            {
                throw CliException.BadArgument("b58-address", parseError.Describe());
            }

            var request = new FaucetRequest { B58Address = b58, Amount = CliInput.Amount("amount", parse.GetValue(amount)) };
            if (parse.GetValue(ingress) is { } ingressHex)
            {
                request.FogIngressPublicKey = ByteString.CopyFrom(CliInput.PublicKey("--fog-ingress-key", ingressHex).Bytes);
            }
            else if (recipient.HasFog)
            {
                var config = CliInput.Network("--network", parse.GetValue(network)!);
                using var resolver = new FogReportResolver(config.PolicyFor("ingest", EnclaveProductId.Ingest));
                try
                {
                    var pubkey = await resolver.ResolveAsync(recipient, cancellationToken);
                    request.FogIngressPublicKey = ByteString.CopyFrom(pubkey.IngressPublicKey.Bytes);
                }
                catch (FogReportException e)
                {
                    throw new CliException($"the address's fog report did not validate: {e.Message}", FogCommand.Failure);
                }
            }

            var endpoint = CliInput.Endpoint("--node-admin", parse.GetValue(admin));
            using var channel = GrpcChannel.ForAddress(endpoint.ClientUri);
            FaucetResponse response;
            try
            {
                response = await new NodeAdminAPI.NodeAdminAPIClient(channel).FaucetAsync(request, cancellationToken: cancellationToken);
            }
            catch (RpcException e)
            {
                throw new CliException($"the node at {endpoint} answered {e.StatusCode}: {e.Status.Detail}", FogCommand.Failure);
            }

            if (response.Error.Length > 0)
            {
                throw new CliException($"the faucet could not pay: {response.Error}", FogCommand.Failure);
            }

            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteNumber("block_index", response.BlockIndex);
                json.WriteNumber("amount", request.Amount);
                json.WriteHex("tx_out_public_key", response.TxOut.PublicKey.Data.Span);
            });
            return FogCommand.Success;
        });
        return command;
    }

    private static Command InfoCommand()
    {
        var nodeUri = new Option<string>("--node") { Description = "The node's client endpoint.", DefaultValueFactory = _ => "insecure-fog://127.0.0.1:3200" };
        var command = new Command("info", "Block count, TxO count and the last block of a dev node.") { nodeUri };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var endpoint = CliInput.Endpoint("--node", parse.GetValue(nodeUri));
            using var channel = GrpcChannel.ForAddress(endpoint.ClientUri);
            LedgerInfo info;
            try
            {
                info = await new NodeAPI.NodeAPIClient(channel).GetLedgerInfoAsync(new Google.Protobuf.WellKnownTypes.Empty(), cancellationToken: cancellationToken);
            }
            catch (RpcException e)
            {
                throw new CliException($"the node at {endpoint} answered {e.StatusCode}: {e.Status.Detail}", FogCommand.Failure);
            }

            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteNumber("num_blocks", info.NumBlocks);
                json.WriteNumber("num_txos", info.NumTxos);
                json.WriteNumber("block_version", info.BlockVersion);
                json.WriteHex("last_block_id", info.LastBlockId.Data.Span);
                json.WriteNumber("last_block_timestamp", info.LastBlockTimestamp);
            });
            return FogCommand.Success;
        });
        return command;
    }
}
