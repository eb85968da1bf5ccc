using System.CommandLine;
using Fog.Attestation.Evidence;
using Fog.Client;
using Fog.Client.Reports;

namespace Fog.Cli.Commands;

/// <summary><c>fog network config</c>: the network configuration for services run one per process.</summary>
internal static class NetworkCommands
{
    internal static Command Build()
    {
        var network = new Command("network", "Network configurations: how wallets reach and attest a Fog network.");
        network.Subcommands.Add(Config());
        return network;
    }

    private static Command Config()
    {
        var node = new Option<string>("--node") { Description = "The node's client endpoint.", DefaultValueFactory = _ => "insecure-fog://127.0.0.1:3200" };
        var view = new Option<string>("--view") { Description = "Fog view's client endpoint.", DefaultValueFactory = _ => "insecure-fog://127.0.0.1:5200" };
        var ledger = new Option<string>("--ledger") { Description = "Fog ledger's client endpoint.", DefaultValueFactory = _ => "insecure-fog://127.0.0.1:7200" };
        var reportUrl = new Option<string>("--fog-report-url") { Description = "The report server URL new fog addresses carry.", DefaultValueFactory = _ => "insecure-fog://127.0.0.1:6200/" };
        var spki = new Option<string>("--authority-spki-file") { Description = "Hex DER SubjectPublicKeyInfo of the report signing chain's root (fog report dev-chain writes authority-spki.hex).", DefaultValueFactory = _ => Path.Combine("fog-report-chain", "authority-spki.hex") };
        var root = new Option<string>("--simulation-root") { Description = "The simulation root key file the services share (its public key is trusted).", DefaultValueFactory = _ => "fog-simulation-root.key" };
        var output = new Option<string>("--out") { Description = "Where to write the configuration.", DefaultValueFactory = _ => "fog-network.json" };
        var command = new Command(
            "config",
            "Write the configuration wallets read (endpoints, fog report URL and authority, trusted simulation root, and this build's enclave measurements) for services started with fog serve.")
        {
            node, view, ledger, reportUrl, spki, root, output,
        };
        command.SetAction(parse =>
        {
            var rootPath = parse.GetValue(root)!;
            if (!File.Exists(rootPath))
            {
                throw CliException.BadArgument("--simulation-root", $"no simulation root at {rootPath} (the services create it on first start; point at theirs)");
            }

            var spkiPath = parse.GetValue(spki)!;
            if (!File.Exists(spkiPath))
            {
                throw CliException.BadArgument("--authority-spki-file", $"no file at {spkiPath} (fog report dev-chain writes authority-spki.hex next to the chain)");
            }

            var authority = CliInput.Hex("--authority-spki-file", File.ReadAllText(spkiPath).Trim());
            var url = parse.GetValue(reportUrl)!;
            if (!FogUri.TryParse(url, out _, out var urlError))
            {
                throw CliException.BadArgument("--fog-report-url", urlError);
            }

            using var simulation = SimulationRoot.LoadOrCreate(rootPath);
            var config = new NetworkConfig
            {
                Node = Service("--node", parse.GetValue(node)),
                View = Service("--view", parse.GetValue(view)),
                Ledger = Service("--ledger", parse.GetValue(ledger)),
                FogReportUrl = url,
                FogAuthoritySpki = Convert.ToHexStringLower(authority),
                TrustedSimulationRoots = [simulation.PublicKeyHex],
                Measurements = EnclaveCommands.Enclaves.ToDictionary(
                    e => e.Name,
                    e => new List<string> { Services.Hosting.SimulatedAttestation.IdentityOf(e.Name, e.Assembly, e.ProductId).Measurement.ToHex() }),
            };
            var path = parse.GetValue(output)!;
            config.Save(path);
            parse.InvocationConfiguration.Output.WriteLine($"Wrote {Path.GetFullPath(path)} (simulation root {simulation.PublicKeyHex[..16]}…; SIMULATION MODE: development only).");
            return FogCommand.Success;
        });
        return command;
    }

    private static ServiceEndpoint Service(string argument, string? text)
    {
        var endpoint = CliInput.Endpoint(argument, text);
        return new ServiceEndpoint { Uri = endpoint.ToString(), ResponderId = $"{endpoint.Host}:{endpoint.Port}" };
    }
}
