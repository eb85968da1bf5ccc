using System.CommandLine;

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
}
