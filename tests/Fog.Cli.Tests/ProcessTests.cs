namespace Fog.Cli.Tests;

/// <summary>The built executable behaves as the in-process command does.</summary>
public class ProcessTests
{
    [Fact]
    public void Built_fog_prints_keys_and_reports_bad_input_with_exit_code_2()
    {
        var ok = CliRunner.RunProcess("keys", "from-entropy", new string('0', 64));
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal("b0146de8cd8f5b7962f9e74a5ef0f3e58a9550c9527ac144f38729f0fd3fed0e", ok.Json.GetProperty("view_private_key").GetString());

        var bad = CliRunner.RunProcess("keys", "from-entropy", "00");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("root-entropy", bad.Error, StringComparison.Ordinal);
    }
}
