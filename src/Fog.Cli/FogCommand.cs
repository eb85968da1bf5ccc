using System.CommandLine;
using Fog.Cli.Commands;

namespace Fog.Cli;

/// <summary>The <c>fog</c> command tree: parse, run, and map failures to exit codes and one-line messages.</summary>
public static class FogCommand
{
    /// <summary>Exit code for success.</summary>
    public const int Success = 0;

    /// <summary>Exit code when the command ran but the answer is "no" (e.g. a record that is not for this key).</summary>
    public const int Failure = 1;

    /// <summary>Exit code for bad input: a malformed, missing or out-of-range argument.</summary>
    public const int BadInput = 2;

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Fog for .NET: MobileCoin Fog services, wallet and key tools.");
        root.Subcommands.Add(KeysCommands.Build());
        root.Subcommands.Add(AddressCommands.Build());
        root.Subcommands.Add(RecordCommands.Build());
        root.Subcommands.Add(ServeCommands.Build());
        root.Subcommands.Add(NodeCommands.Build());
        root.Subcommands.Add(IngestCommands.Build());
        root.Subcommands.Add(ReportCommands.Build());
        root.Subcommands.Add(WalletCommands.Build());
        root.Subcommands.Add(EnclaveCommands.Build());
        root.Subcommands.Add(BenchCommands.Build());
        root.Subcommands.Add(DemoCommand.Build());
        root.Subcommands.Add(UpCommand.Build());
        root.Subcommands.Add(NetworkCommands.Build());
        root.Subcommands.Add(HealthCommand.Build());
        root.Subcommands.Add(DbCommands.Build());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing results to <paramref name="output"/> and errors to <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0 && !IsHelpRequest(args))
        {
            // One line: the most specific problem (an unknown word beats a missing one), and where to look.
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            var path = CommandPath(parse);
            error.WriteLine($"fog: error: {first.Message} (see 'fog {path}{(path.Length > 0 ? " " : "")}--help')");
            return BadInput;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(configuration);
        }
        catch (CliException e)
        {
            error.WriteLine($"fog: error: {e.Message}");
            return e.ExitCode;
        }
        catch (IOException e) when (e.Message.StartsWith("Failed to bind to address", StringComparison.Ordinal))
        {
            // Kestrel's words for a port another process holds.
            error.WriteLine($"fog: error: {e.Message.TrimEnd('.')}; is another fog server using the port? Stop it or choose other ports.");
            return Failure;
        }
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is not null; result = (System.CommandLine.Parsing.CommandResult)result.Parent)
        {
            names.Add(result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names).Trim();
    }

    private static bool IsHelpRequest(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");
}
