namespace Fog.Cli;

/// <summary>A failure to report to the user as one line on stderr, with an exit code.</summary>
public sealed class CliException : Exception
{
    /// <summary>A failure with a message and exit code.</summary>
    public CliException(string message, int exitCode = FogCommand.BadInput)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Bad input for <paramref name="argument"/>.</summary>
    public static CliException BadArgument(string argument, string problem) => new($"{argument}: {problem}");
}
