using System.CommandLine;

namespace Fog.Cli.Commands;

/// <summary><c>fog demo</c>: the whole system end to end on embedded defaults.</summary>
internal static class DemoCommand
{
    internal static Command Build()
    {
        var command = new Command("demo", "Run node, ingest, view, ledger and report in one process, pay a fog user and find the payment privately.");
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Error.WriteLine(
                "fog demo: not yet available. The services it runs (dev node, ingest, view, ledger, report) are still being built; " +
                "the key tools work today (see 'fog --help').");
            return FogCommand.Failure;
        });
        return command;
    }
}
