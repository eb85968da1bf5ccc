using System.CommandLine;
using System.Diagnostics;
using Fog.Cli.Network;

namespace Fog.Cli.Commands;

/// <summary><c>fog demo</c>: the whole system end to end on embedded defaults.</summary>
internal static class DemoCommand
{
    internal static Command Build()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Keep the network's data here (default: a temporary directory, removed afterwards)." };
        var verbose = new Option<bool>("--verbose") { Description = "Show the services' logs (warnings and above otherwise)." };
        var command = new Command("demo", "Run node, ingest, view, ledger and report in one process on loopback, pay a fog user and find the payment privately.") { dataDir, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var kept = parse.GetValue(dataDir);
            var directory = kept ?? Directory.CreateTempSubdirectory("fog-demo-").FullName;
            var clock = Stopwatch.StartNew();
            output.WriteLine("Fog demo. SIMULATION MODE: the enclaves are simulated, so nothing here is private from this machine's operator.");
            try
            {
                var options = new DevNetworkOptions
                {
                    DataDirectory = directory,
                    EphemeralPorts = true,
                    LogLevel = parse.GetValue(verbose) ? Microsoft.Extensions.Logging.LogLevel.Information : Microsoft.Extensions.Logging.LogLevel.Warning,
                };
                await using var network = await DevNetwork.StartAsync(options, ProgressLine.Lines(line => output.WriteLine($"  started {line}")), cancellationToken);
                output.WriteLine($"Network up in {clock.Elapsed.TotalSeconds:0.0} s; configuration in {network.ConfigPath}");
                await network.CaughtUpAsync(cancellationToken);
                var outcome = await new DemoScenario(network, output).RunAsync(cancellationToken);
                output.WriteLine(
                    $"Demo complete in {clock.Elapsed.TotalSeconds:0.0} s: Alice {CliOutput.Mob(outcome.Alice.Mob)}, Bob {CliOutput.Mob(outcome.Bob.Mob)}, " +
                    $"every balance found through attested, oblivious fog queries (SIMULATION MODE).");
                return FogCommand.Success;
            }
            catch (DemoFailedException e)
            {
                error.WriteLine($"fog demo: failed: {e.Message}");
                return FogCommand.Failure;
            }
            finally
            {
                if (kept is null)
                {
                    TryDelete(directory, error);
                }
            }
        });
        return command;
    }

    private static void TryDelete(string directory, TextWriter error)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException e)
        {
            error.WriteLine($"fog demo: could not remove {directory}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"fog demo: could not remove {directory}: {e.Message}");
        }
    }
}
