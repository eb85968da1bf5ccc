using System.CommandLine;
using Fog.Cli.Network;
using Fog.Node;

namespace Fog.Cli.Commands;

/// <summary><c>fog up</c>: a whole dev network in one process on the default ports, until Ctrl-C.</summary>
internal static class UpCommand
{
    internal static Command Build()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The network's data (ledger, recovery DB, keys); reused when it exists.", DefaultValueFactory = _ => "fog-dev" };
        var host = new Option<string>("--host") { Description = "The address every service listens on.", DefaultValueFactory = _ => "127.0.0.1" };
        var verbose = new Option<bool>("--verbose") { Description = "Show the services' informational logs." };
        var command = new Command(
            "up",
            "Run a dev network (node, ingest, view, ledger, report) in one process on the default ports and write fog-network.json for wallets; Ctrl-C stops it.")
        {
            dataDir, host, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var options = new DevNetworkOptions
            {
                DataDirectory = parse.GetValue(dataDir)!,
                Host = parse.GetValue(host)!,
                LogLevel = parse.GetValue(verbose) ? Microsoft.Extensions.Logging.LogLevel.Information : Microsoft.Extensions.Logging.LogLevel.Warning,
            };
            output.WriteLine("Fog dev network. SIMULATION MODE: the enclaves are simulated; use it for development only.");
            var network = await DevNetwork.StartAsync(options, ProgressLine.Lines(line => output.WriteLine($"  {line}")), cancellationToken);
            await using (network)
            {
                var config = network.ConfigPath;
                output.WriteLine($"Network configuration: {config}");
                output.WriteLine($"Node admin (faucet): {Endpoint(network.Node.AdminUri)}; faucet mnemonic (public, dev only): {Faucet.Mnemonic}");
                output.WriteLine("Try:");
                output.WriteLine($"  fog wallet new --network {config} --wallet alice.json");
                output.WriteLine($"  fog node faucet $(fog wallet address --wallet alice.json) 10MOB --network {config} --node-admin {Endpoint(network.Node.AdminUri)}");
                output.WriteLine($"  fog wallet balance --network {config} --wallet alice.json");
                output.WriteLine("Press Ctrl-C to stop.");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    output.WriteLine("Stopping.");
                }
            }

            return FogCommand.Success;
        });
        return command;
    }

    private static string Endpoint(Uri uri) => new Fog.Services.Hosting.FogEndpoint(uri.Host, uri.Port).ToString();
}
