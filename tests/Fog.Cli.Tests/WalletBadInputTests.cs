using System.Net;
using System.Net.Sockets;
using Fog.Cli.Network;
using Fog.Client;

namespace Fog.Cli.Tests;

/// <summary>A dev network shared by the wallet bad-input tests that need one (started once: about a second).</summary>
public sealed class WalletTestNetwork : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("fog-wallet-bad-input-net-").FullName;

    internal DevNetwork Network { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Network = await DevNetwork.StartAsync(new DevNetworkOptions { DataDirectory = Path.Combine(Directory, "net"), EphemeralPorts = true });
        await Network.CaughtUpAsync();
    }

    public async Task DisposeAsync()
    {
        await Network.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>
/// Wallet commands given bad input or a bad network: each exits non-zero with one clear error line, and the wallet file
/// is never left half-written or changed by a failed command.
/// </summary>
public sealed class WalletBadInputTests(WalletTestNetwork shared) : IClassFixture<WalletTestNetwork>, IDisposable
{
    private const ulong Mob = 1_000_000_000_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("fog-wallet-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon notaword")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon")]
    [InlineData("abandon abandon abandon")]
    public void Import_of_a_wrong_mnemonic_exits_2_and_writes_no_wallet(string phrase)
    {
        var mnemonic = Path.Combine(_directory, "mnemonic.txt");
        File.WriteAllText(mnemonic, phrase);
        var wallet = Path.Combine(_directory, "imported.json");

        var result = CliRunner.Run("wallet", "import", "--wallet", wallet, "--no-fog", "--mnemonic-file", mnemonic, "--passphrase-file", Passphrase("p"));

        AssertOneErrorLine(result, 2, "mnemonic");
        Assert.False(File.Exists(wallet));
        AssertNoStrayFiles();
    }

    [Theory]
    [InlineData("0OIl-not-base58")]
    [InlineData("3mJr7AoUXx2Wqd")]
    public void Send_to_a_malformed_address_exits_2_and_leaves_the_wallet_unchanged(string address)
    {
        var wallet = NewWallet("w.json");
        var before = File.ReadAllBytes(wallet);

        var result = CliRunner.Run(["wallet", "send", address, "1MOB", .. WalletArgs(wallet)]);

        AssertOneErrorLine(result, 2, "b58-address");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Fact]
    public void Wrong_passphrase_exits_1_and_leaves_the_wallet_unchanged()
    {
        var wallet = NewWallet("w.json");
        var before = File.ReadAllBytes(wallet);

        var result = CliRunner.Run("wallet", "balance", "--wallet", wallet, "--passphrase-file", Passphrase("not it"), "--network", shared.Network.ConfigPath);

        AssertOneErrorLine(result, 1, "passphrase");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Fact]
    public async Task Sending_more_than_the_balance_exits_1_saying_what_is_available_and_keeps_the_funds()
    {
        var wallet = await FundedWalletAsync("poor.json", Mob);
        var recipient = NewWalletWithAddress("recipient.json").Address;

        var result = CliRunner.Run(["wallet", "send", recipient, "5MOB", .. WalletArgs(wallet)]);

        AssertOneErrorLine(result, 1, "1.0 MOB");
        Assert.Equal(Mob, await BalanceAsync(wallet));
    }

    [Fact]
    public void Unreachable_service_exits_1_naming_the_service_and_address()
    {
        var wallet = NewWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        var closedPort = ClosedPort();
        var config = NetworkConfig.Load(shared.Network.ConfigPath);
        config.View.Uri = $"insecure-fog://127.0.0.1:{closedPort}";
        var network = Path.Combine(_directory, "unreachable-network.json");
        config.Save(network);

        var result = CliRunner.Run("wallet", "balance", "--wallet", wallet, "--passphrase-file", Passphrase("pw"), "--network", network, "--json");

        var line = AssertOneErrorLine(result, 1, $"127.0.0.1:{closedPort}");
        Assert.Contains("fog view", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Theory]
    [InlineData("ledger")]
    [InlineData("view")]
    public async Task Service_failing_attestation_exits_1_naming_the_service(string service)
    {
        // Funded, so that the balance check asks the ledger about a key image.
        var wallet = await FundedWalletAsync("w.json", Mob);
        var before = File.ReadAllBytes(wallet);
        var config = NetworkConfig.Load(shared.Network.ConfigPath);
        config.Measurements[service] = [new string('a', 64)];
        var network = Path.Combine(_directory, "distrusting-network.json");
        config.Save(network);

        var result = CliRunner.Run("wallet", "balance", "--wallet", wallet, "--passphrase-file", Passphrase("pw"), "--network", network, "--json");

        var line = AssertOneErrorLine(result, 1, "attestation");
        Assert.Contains($"fog {service}", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Fact]
    public void New_wallet_where_no_file_can_be_written_exits_1_and_leaves_nothing_behind()
    {
        var notADirectory = Path.Combine(_directory, "plain-file.txt");
        File.WriteAllText(notADirectory, "");
        var wallet = Path.Combine(notADirectory, "w.json");

        var result = CliRunner.Run("wallet", "new", "--wallet", wallet, "--no-fog", "--passphrase-file", Passphrase("pw"));

        AssertOneErrorLine(result, 1, wallet);
        Assert.Equal(0, new FileInfo(notADirectory).Length);
        AssertNoStrayFiles();
    }

    /// <summary>Exit code as given, nothing on stdout but progress-free output, exactly one error line naming <paramref name="mentions"/>.</summary>
    private static string AssertOneErrorLine(CliRunner.Result result, int exitCode, string mentions)
    {
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}: {result.Output}{result.Error}");
        var errors = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('…')).ToList();
        var line = Assert.Single(errors);
        Assert.StartsWith("fog: error: ", line, StringComparison.Ordinal);
        Assert.Contains(mentions, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
        return line;
    }

    private void AssertNoStrayFiles() =>
        Assert.All(Directory.EnumerateFileSystemEntries(_directory), f => Assert.True(f.EndsWith(".txt", StringComparison.Ordinal) || f.EndsWith(".pw", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal), $"stray {f}"));

    private string NewWallet(string name) => NewWalletWithAddress(name).Wallet;

    private (string Wallet, string Address) NewWalletWithAddress(string name)
    {
        var wallet = Path.Combine(_directory, name);
        var created = CliRunner.Run(["wallet", "new", .. WalletArgs(wallet), "--json"]);
        Assert.True(created.ExitCode == 0, created.Error);
        return (wallet, created.Json.GetProperty("address").GetString()!);
    }

    /// <summary>A wallet the faucet paid <paramref name="value"/>, with its balance checked (so its state knows the output).</summary>
    private async Task<string> FundedWalletAsync(string name, ulong value)
    {
        var (wallet, address) = NewWalletWithAddress(name);
        var admin = $"insecure-fog://{shared.Network.Node.AdminUri.Host}:{shared.Network.Node.AdminUri.Port}";
        var faucet = CliRunner.Run("node", "faucet", address, value.ToString(System.Globalization.CultureInfo.InvariantCulture), "--node-admin", admin, "--network", shared.Network.ConfigPath);
        Assert.True(faucet.ExitCode == 0, faucet.Error);
        await WaitForBalanceAsync(wallet, value);
        return wallet;
    }

    private string[] WalletArgs(string wallet) => ["--wallet", wallet, "--passphrase-file", Passphrase("pw"), "--network", shared.Network.ConfigPath];

    private string Passphrase(string passphrase)
    {
        var path = Path.Combine(_directory, $"{Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(passphrase))}.pw");
        File.WriteAllText(path, passphrase + "\n");
        return path;
    }

    private async Task<ulong> BalanceAsync(string wallet)
    {
        var balance = await Task.Run(() => CliRunner.Run(["wallet", "balance", .. WalletArgs(wallet), "--json"]));
        Assert.True(balance.ExitCode == 0, balance.Error);
        return balance.Json.GetProperty("mob_picomob").GetUInt64();
    }

    private async Task WaitForBalanceAsync(string wallet, ulong expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await BalanceAsync(wallet) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"balance never reached {expected}");
            await Task.Delay(100);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
