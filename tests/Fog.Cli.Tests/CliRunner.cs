using System.Diagnostics;
using System.Text.Json;

namespace Fog.Cli.Tests;

/// <summary>Runs the fog command in-process (fast) or as the built executable (what a user runs).</summary>
internal static class CliRunner
{
    internal sealed record Result(int ExitCode, string Output, string Error)
    {
        internal JsonElement Json => JsonDocument.Parse(Output).RootElement;
    }

    internal static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = FogCommand.Run(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs fog.dll (built next to the test assembly) with the dotnet host, as a separate process.</summary>
    internal static Result RunProcess(params string[] args)
    {
        var fog = Path.Combine(AppContext.BaseDirectory, "fog.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(fog);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("fog did not exit.");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
