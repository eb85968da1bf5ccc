using System.CommandLine;
using Fog.Services.Ingest;

namespace Fog.Cli.Commands;

/// <summary><c>fog serve …</c>: run a server until Ctrl-C.</summary>
internal static class ServeCommands
{
    internal static Command Build()
    {
        var serve = new Command("serve", "Run a Fog server (stops on Ctrl-C or SIGTERM).");
        serve.Subcommands.Add(NodeCommands.Serve());
        serve.Subcommands.Add(IngestCommands.Serve());
        serve.Subcommands.Add(ReportCommands.Serve());
        serve.Subcommands.Add(ViewCommands.Serve());
        serve.Subcommands.Add(LedgerCommands.Serve());
        return serve;
    }

    /// <summary>The simulation root key file option every server takes.</summary>
    internal static Option<string> SimulationRootOption() => new("--simulation-root")
    {
        Description = "Simulation root key file shared by the dev network's services (created when missing).",
        DefaultValueFactory = _ => "fog-simulation-root.key",
    };

    /// <summary>The recovery database option of ingest, view and report.</summary>
    internal static Option<string> RecoveryDbOption() => new("--recovery-db")
    {
        Description = "The recovery database: sqlite:<file> or postgres:<connection string> (default $FOG_RECOVERY_DB, else sqlite:fog-recovery.db).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FOG_RECOVERY_DB") is { Length: > 0 } value ? value : "sqlite:fog-recovery.db",
    };

    /// <summary>The recovery database <paramref name="option"/> names.</summary>
    internal static RecoveryDbConnection RecoveryDb(ParseResult parse, Option<string> option) =>
        RecoveryDbConnection.TryParse(parse.GetValue(option), out var connection, out var error)
            ? connection
            : throw CliException.BadArgument(option.Name, error);

    /// <summary>Prints where a started server serves, then waits until Ctrl-C or SIGTERM stops it.</summary>
    internal static async Task<int> RunUntilStoppedAsync(ParseResult parse, Func<CancellationToken, Task> waitForShutdown, CancellationToken cancellationToken, params string[] banner)
    {
        var output = parse.InvocationConfiguration.Output;
        foreach (var line in banner)
        {
            output.WriteLine(line);
        }

        output.WriteLine("Press Ctrl-C to stop.");
        try
        {
            await waitForShutdown(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        return FogCommand.Success;
    }
}
