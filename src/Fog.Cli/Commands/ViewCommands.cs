using System.CommandLine;
using Fog.Services.View;
using Fog.Storage.Recovery;

namespace Fog.Cli.Commands;

/// <summary><c>fog serve view</c>: the fog view server.</summary>
internal static class ViewCommands
{
    /// <summary><c>fog serve view</c>.</summary>
    internal static Command Serve()
    {
        var listen = new Option<string>("--listen") { Description = "Client API endpoint (fog_view.FogViewAPI).", DefaultValueFactory = _ => "127.0.0.1:5200" };
        var admin = new Option<string>("--admin") { Description = "Admin gRPC endpoint (health).", DefaultValueFactory = _ => "127.0.0.1:5600" };
        var metrics = new Option<string>("--metrics") { Description = "Prometheus endpoint (/metrics, HTTP/1.1).", DefaultValueFactory = _ => "127.0.0.1:5601" };
        var recoveryDb = ServeCommands.RecoveryDbOption();
        var root = ServeCommands.SimulationRootOption();
        var responderId = new Option<string?>("--responder-id") { Description = "The responder id clients attest with (default: the --listen host:port)." };
        var capacity = new Option<ulong>("--omap-capacity") { Description = "Records the enclave's oblivious map holds (about 75% usable; restart larger when full).", DefaultValueFactory = _ => 1UL << 20 };
        var maxKeys = new Option<int>("--max-search-keys") { Description = "Most search keys one query may carry.", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--block-query-batch-size") { Description = "Blocks read from the recovery DB per ingress key per request.", DefaultValueFactory = _ => 1000 };
        var interval = new Option<int>("--db-poll-interval-ms") { Description = "Milliseconds between recovery DB polls once caught up.", DefaultValueFactory = _ => 250 };
        var command = new Command("view", "Run fog view: loads records from the recovery DB into its enclave's oblivious map and answers attested queries.")
        {
            listen, admin, metrics, recoveryDb, root, responderId, capacity, maxKeys, batch, interval,
        };
        var logging = new ServeLogging().AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ViewServerOptions
            {
                LogLevel = logging.Level(parse),
                JsonLogs = logging.Json(parse),
                Listen = CliInput.Endpoint("--listen", parse.GetValue(listen)),
                Admin = CliInput.Endpoint("--admin", parse.GetValue(admin)),
                Metrics = CliInput.Endpoint("--metrics", parse.GetValue(metrics)),
                SimulationRootPath = parse.GetValue(root)!,
                ResponderId = CliInput.ResponderId("--responder-id", parse.GetValue(responderId), "--listen", parse.GetValue(listen)),
                OmapCapacity = parse.GetValue(capacity),
                MaxSearchKeysPerQuery = parse.GetValue(maxKeys),
                BlockQueryBatchSize = parse.GetValue(batch),
                DbPollInterval = TimeSpan.FromMilliseconds(parse.GetValue(interval)),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }

            var connection = ServeCommands.RecoveryDb(parse, recoveryDb);

            IRecoveryDb db;
            try
            {
                db = await connection.OpenAsync(cancellationToken);
            }
            catch (RecoveryDbException e)
            {
                throw new CliException($"the recovery database {connection} cannot be used: {e.Message}", FogCommand.Failure);
            }

            await using (db)
            {
                await using var server = await ViewServer.StartAsync(options, db, cancellationToken);
                return await ServeCommands.RunUntilStoppedAsync(
                    parse,
                    server.WaitForShutdownAsync,
                    cancellationToken,
                    $"Fog view serving {server.ClientUri} (responder id {server.ResponderId}; admin {server.AdminUri}, metrics {server.MetricsUri}metrics); recovery DB {connection}.",
                    $"View enclave measurement {server.EnclaveIdentity.Measurement.ToHex()} (SIMULATION MODE). Queries are refused as not ready until the recovery DB is loaded.");
            }
        });
        return command;
    }
}
