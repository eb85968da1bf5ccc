namespace Fog.Cli.Tests;

/// <summary>Bad input exits 2 with one line on stderr that names the argument.</summary>
public class BadInputTests
{
    private const string Key = "b0146de8cd8f5b7962f9e74a5ef0f3e58a9550c9527ac144f38729f0fd3fed0e";

    [Theory]
    [InlineData("root-entropy", "keys", "from-entropy", "00")]
    [InlineData("root-entropy", "keys", "from-entropy", "zz")]
    [InlineData("root-entropy", "keys", "from-entropy", "abc")]
    [InlineData("phrase", "keys", "from-mnemonic", "abandon abandon")]
    [InlineData("phrase", "keys", "from-mnemonic", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon")]
    [InlineData("phrase", "keys", "from-mnemonic", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon notaword")]
    [InlineData("--view-private", "keys", "subaddress", "--view-private", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "--spend-private", Key)]
    [InlineData("--spend-private", "keys", "subaddress", "--view-private", Key, "--spend-private", "1234")]
    [InlineData("--index", "keys", "subaddress", "--view-private", Key, "--spend-private", Key, "--index", "-1")]
    [InlineData("--view-public", "address", "encode", "--view-public", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "--spend-public", Key)]
    [InlineData("--fog-authority-sig", "address", "encode", "--view-public", "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76", "--spend-public", "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76", "--fog-report-url", "fog://x", "--fog-authority-sig", "00")]
    [InlineData("b58", "address", "decode", "0OIl")]
    [InlineData("b58", "address", "decode", "6UEtkm1rieLhuz2wvELPHdGiCb96zNnW856QVeGLvYzE7NhmbG1MxnoSPGqyVfEHDvxzQmaURFpZcxT9TSypVgRVAusr7svtD1TcrYj92Ui")]
    [InlineData("--record", "record", "decrypt", "--view-private", Key, "--record", "ffff")]
    [InlineData("--view-private", "record", "decrypt", "--record", "00")]
    [InlineData("--log-level", "serve", "view", "--log-level", "Loud")]
    [InlineData("--log-level", "serve", "ledger", "--log-level", "7")]
    [InlineData("--responder-id", "serve", "view", "--listen", "127.0.0.1:0")]
    [InlineData("--peer-responder-id", "serve", "ingest", "--ledger", "x", "--peer-listen", "127.0.0.1:0")]
    public void Bad_argument_exits_2_with_one_line_naming_it(string argument, params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        var lines = result.Error.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.Contains(argument, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_command_exits_2()
    {
        var result = CliRunner.Run("frobnicate");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("frobnicate", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_exits_0()
    {
        Assert.Equal(0, CliRunner.Run("--help").ExitCode);
        Assert.Equal(0, CliRunner.Run("keys", "subaddress", "--help").ExitCode);
    }
}
