using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fog.Attestation.Evidence;
using Fog.Cli.Network;
using Fog.Client;
using Fog.Client.Wallet;
using Fog.Crypto.Codecs;
using Fog.Model.Keys;

namespace Fog.Cli.Tests;

/// <summary>
/// A dev network shared by the wallet bad-input tests (started once: about a second), and a wallet the faucet paid
/// 1 MOB whose balance was checked (so its state knows the output). Tests work on copies of that wallet.
/// </summary>
public sealed class WalletTestNetwork : IAsyncLifetime
{
    public const string Passphrase = "pw";

    public const ulong FundedValue = 1_000_000_000_000;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("fog-wallet-bad-input-net-").FullName;

    public string FundedWallet => Path.Combine(Directory, "funded.json");

    public string PassphraseFile => Path.Combine(Directory, "passphrase");

    internal DevNetwork Network { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Network = await DevNetwork.StartAsync(new DevNetworkOptions { DataDirectory = Path.Combine(Directory, "net"), EphemeralPorts = true });
        await Network.CaughtUpAsync();
        await File.WriteAllTextAsync(PassphraseFile, Passphrase + "\n");
        string[] wallet = ["--wallet", FundedWallet, "--passphrase-file", PassphraseFile, "--network", Network.ConfigPath];

        var created = await Task.Run(() => CliRunner.Run(["wallet", "new", .. wallet, "--json"]));
        Assert.True(created.ExitCode == 0, created.Error);
        var address = created.Json.GetProperty("address").GetString()!;
        var admin = $"insecure-fog://{Network.Node.AdminUri.Host}:{Network.Node.AdminUri.Port}";
        var value = FundedValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var faucet = await Task.Run(() => CliRunner.Run("node", "faucet", address, value, "--node-admin", admin, "--network", Network.ConfigPath));
        Assert.True(faucet.ExitCode == 0, faucet.Error);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var balance = await Task.Run(() => CliRunner.Run(["wallet", "balance", .. wallet, "--json"]));
            Assert.True(balance.ExitCode == 0, balance.Error);
            if (balance.Json.GetProperty("mob_picomob").GetUInt64() == FundedValue)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the faucet's payment never showed: {balance.Output}");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await Network.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>
/// Wallet commands given bad input or a bad network: each exits non-zero with one line on stderr that says what was
/// wrong (and what to do), prints nothing misleading on stdout, and never leaves a wallet file half-written or changed
/// by a command that failed.
/// </summary>
public sealed class WalletBadInputTests(WalletTestNetwork shared) : IClassFixture<WalletTestNetwork>, IDisposable
{
    private const ulong Mob = 1_000_000_000_000;

    /// <summary>How long a command that cannot reach a service (or is told to wait 1.5 s for one) may take to say so.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(15);

    /// <summary>A valid address without fog (paying it needs no report server).</summary>
    private static readonly string NoFogRecipient = RecipientWithoutFog();

    private readonly string _directory = Directory.CreateTempSubdirectory("fog-wallet-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // ---- wrong mnemonic ----

    [Theory]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon notaword", "word 12 ('notaword') is not in the BIP-39 English word list")]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", "checksum does not match")]
    [InlineData("abandon abandon abandon", "12, 15, 18, 21 or 24 words, not 3")]
    [InlineData("", "12, 15, 18, 21 or 24 words, not 0")]
    public void Import_of_a_wrong_mnemonic_exits_2_naming_the_problem_and_writes_no_wallet(string phrase, string problem)
    {
        var mnemonic = Path.Combine(_directory, "mnemonic.txt");
        File.WriteAllText(mnemonic, phrase);
        var wallet = Path.Combine(_directory, "imported.json");

        var result = CliRunner.Run("wallet", "import", "--wallet", wallet, "--no-fog", "--mnemonic-file", mnemonic, "--passphrase-file", PassphraseFile("p"));

        AssertOneErrorLine(result, 2, "mnemonic: ", problem);
        Assert.False(File.Exists(wallet));
        AssertOnlyFiles(_directory, "mnemonic.txt", "p.pw");
    }

    // ---- a wallet is never overwritten ----

    [Theory]
    [InlineData("new")]
    [InlineData("import")]
    public async Task Creating_a_wallet_over_an_existing_one_exits_2_and_leaves_it_byte_for_byte(string command)
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        var mnemonic = Path.Combine(_directory, "mnemonic.txt");
        File.WriteAllText(mnemonic, "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about");

        var result = CliRunner.Run(["wallet", command, "--wallet", wallet, "--no-fog", "--passphrase-file", PassphraseFile("other"), .. command == "import" ? new[] { "--mnemonic-file", mnemonic } : []]);

        AssertOneErrorLine(result, 2, "--wallet: ", wallet, "already exists");
        Assert.Equal(before, File.ReadAllBytes(wallet));
        AssertOnlyFiles(_directory, "w.json", "mnemonic.txt", "other.pw");
        Assert.Equal(Mob, await BalanceAsync(wallet));
    }

    // ---- malformed recipient or amount ----

    public static TheoryData<string, string> MalformedAddresses => new()
    {
        { "0OIl-not-base58", "not a Base58 string" },
        { "3mJr7AoUXx2Wqd", "the checksum does not match" },
        { NoFogRecipient[..^1] + (NoFogRecipient[^1] == 'z' ? 'y' : 'z'), "the checksum does not match" },
        { "1111", "too short to be an address" },
        { Printable(0xff, 0xff, 0xff), "not valid protobuf" },
        { Printable(0x12, 0x00), "not a public address" },
        { Printable(0x0a, 0x02, 0x0a, 0x00), "not a valid ristretto255 point" },
    };

    [Theory]
    [MemberData(nameof(MalformedAddresses))]
    public void Send_to_a_malformed_address_exits_2_naming_the_problem_and_leaves_the_wallet_unchanged(string address, string problem)
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);

        var result = CliRunner.Run(["wallet", "send", address, "0.1MOB", .. WalletArgs(wallet)]);

        AssertOneErrorLine(result, 2, "b58-address: ", problem);
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Theory]
    [InlineData("lots", "is not an amount")]
    [InlineData("-1", "is not an amount")]
    [InlineData("1.0000000000001MOB", "at most 12 decimals")]
    [InlineData("0", "must be positive")]
    public void Send_of_a_malformed_amount_exits_2_naming_the_problem_and_leaves_the_wallet_unchanged(string amount, string problem)
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);

        var result = CliRunner.Run(["wallet", "send", NoFogRecipient, amount, .. WalletArgs(wallet)]);

        AssertOneErrorLine(result, 2, "amount: ", problem);
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("1e9")]
    public void Wallet_command_with_a_bad_timeout_exits_2_naming_it(string timeout)
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);

        var result = CliRunner.Run(["wallet", "balance", .. WalletArgs(wallet), "--timeout", timeout]);

        AssertOneErrorLine(result, 2, "--timeout");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    // ---- wrong passphrase ----

    [Theory]
    [InlineData("balance")]
    [InlineData("send")]
    [InlineData("history")]
    public void Wrong_passphrase_exits_1_and_leaves_the_wallet_unchanged(string command)
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        string[] payment = command == "send" ? [NoFogRecipient, "0.1MOB"] : [];

        var result = CliRunner.Run(["wallet", command, .. payment, "--wallet", wallet, "--passphrase-file", PassphraseFile("not it"), "--network", shared.Network.ConfigPath]);

        AssertOneErrorLine(result, 1, $"the passphrase does not open {wallet}");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    // ---- insufficient funds ----

    [Fact]
    public async Task Sending_more_than_the_balance_exits_1_saying_what_is_spendable_and_sends_nothing()
    {
        var wallet = CopyOfFundedWallet("w.json");

        var result = await RunAsync(["wallet", "send", NoFogRecipient, "5MOB", .. WalletArgs(wallet)]);

        // Without --json the steps are shown first (one "… [t s] step" line each), then the one error line.
        AssertErrorAfterProgress(result, 1, "insufficient funds: the wallet can spend 1.0 MOB; the payment needs 5.0004 MOB (fee 0.0004 MOB). Nothing was sent.");
        Assert.Equal(Mob, await BalanceAsync(wallet));
    }

    [Fact]
    public async Task Sending_from_an_empty_wallet_exits_1_with_one_error_line_and_a_json_status()
    {
        var wallet = NewWallet("empty.json");

        var result = await RunAsync(["wallet", "send", NoFogRecipient, "1MOB", .. WalletArgs(wallet), "--json"]);

        AssertOneErrorLineAndStatus(result, 1, "InsufficientFunds", "insufficient funds: the wallet can spend 0.0 MOB; the payment needs 1.0004 MOB");
        Assert.Equal(0UL, await BalanceAsync(wallet));
    }

    // ---- unreachable service ----

    [Theory]
    [InlineData("view", "fog view")]
    [InlineData("ledger", "fog ledger")]
    [InlineData("node", "the node")]
    public async Task Unreachable_service_exits_1_promptly_naming_the_service_and_address(string service, string name)
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        var port = ClosedPort();
        var network = NetworkConfigWith(config => Endpoint(config, service).Uri = $"insecure-fog://127.0.0.1:{port}");

        var result = await RunBoundedAsync([.. CommandUsing(service), "--wallet", wallet, "--passphrase-file", PassphraseFile(WalletTestNetwork.Passphrase), "--network", network, "--json"]);

        AssertOneErrorLine(result, 1, $"cannot reach {name} at 127.0.0.1:{port}", "Is it running, and does the network configuration point at it?");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Theory]
    [InlineData("view", "fog view")]
    [InlineData("ledger", "fog ledger")]
    [InlineData("node", "the node")]
    public async Task Service_that_accepts_connections_but_never_answers_exits_1_after_the_timeout_naming_it(string service, string name)
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var network = NetworkConfigWith(config => Endpoint(config, service).Uri = $"insecure-fog://127.0.0.1:{port}");

        var result = await RunBoundedAsync([.. CommandUsing(service), "--wallet", wallet, "--passphrase-file", PassphraseFile(WalletTestNetwork.Passphrase), "--network", network, "--json", "--timeout", "1.5"]);

        AssertOneErrorLine(result, 1, $"{name} at 127.0.0.1:{port} did not answer within 1.5 s. Is it running and healthy");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Fact]
    public async Task Fog_report_server_of_the_recipient_that_never_answers_exits_1_after_the_timeout_naming_it()
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var elsewhere = NetworkConfigWith(config => config.FogReportUrl = $"insecure-fog://127.0.0.1:{port}");
        var recipient = NewWallet("recipient.json", elsewhere).Address;

        var result = await RunBoundedAsync(["wallet", "send", recipient, "0.1MOB", .. WalletArgs(wallet), "--json", "--timeout", "1.5"]);

        AssertOneErrorLine(result, 1, $"the recipient's fog report (insecure-fog://127.0.0.1:{port}) cannot be used: ReportServerUnavailable: The fog report server insecure-fog://127.0.0.1:{port} did not answer within 1.5 s. Nothing was sent");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Fact]
    public async Task Unreachable_fog_report_server_of_the_recipient_exits_1_naming_it()
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        var port = ClosedPort();
        var elsewhere = NetworkConfigWith(config => config.FogReportUrl = $"insecure-fog://127.0.0.1:{port}");
        var recipient = NewWallet("recipient.json", elsewhere).Address;

        var result = await RunBoundedAsync(["wallet", "send", recipient, "0.1MOB", .. WalletArgs(wallet), "--json"]);

        AssertOneErrorLine(result, 1, $"the recipient's fog report (insecure-fog://127.0.0.1:{port}) cannot be used: ReportServerUnavailable", "Nothing was sent; try again when the report server answers.");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Fact]
    public async Task Unreachable_own_fog_report_server_exits_1_naming_it_when_paying_an_address_without_fog()
    {
        // The funded wallet's keys, with addresses whose fog report URL points nowhere: the change output needs that report.
        var funded = WalletFile.TryLoad(shared.FundedWallet, WalletTestNetwork.Passphrase, out var failure);
        Assert.Equal(WalletFileError.None, failure);
        var mnemonic = Path.Combine(_directory, "mnemonic.txt");
        File.WriteAllText(mnemonic, funded!.Mnemonic);
        var port = ClosedPort();
        var elsewhere = NetworkConfigWith(config => config.FogReportUrl = $"insecure-fog://127.0.0.1:{port}");
        var wallet = Path.Combine(_directory, "w.json");
        var imported = CliRunner.Run("wallet", "import", "--wallet", wallet, "--mnemonic-file", mnemonic, "--passphrase-file", PassphraseFile(WalletTestNetwork.Passphrase), "--network", elsewhere);
        Assert.True(imported.ExitCode == 0, imported.Error);
        var before = File.ReadAllBytes(wallet);

        var result = await RunBoundedAsync(["wallet", "send", NoFogRecipient, "0.1MOB", .. WalletArgs(wallet), "--json"]);

        AssertOneErrorLine(result, 1, $"this wallet's own fog report (insecure-fog://127.0.0.1:{port}, needed for its change) cannot be used: ReportServerUnavailable", "Nothing was sent");
        Assert.Equal(before, File.ReadAllBytes(wallet));
        Assert.Equal(Mob, await BalanceAsync(wallet));
    }

    // ---- attestation failure ----

    [Theory]
    [InlineData("view", "fog view")]
    [InlineData("ledger", "fog ledger")]
    [InlineData("node", "the node")]
    public async Task Service_whose_measurement_is_not_trusted_exits_1_saying_it_failed_attestation(string service, string name)
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        var network = NetworkConfigWith(config => config.Measurements[service == "node" ? "consensus" : service] = [new string('a', 64)]);

        var result = await RunAsync([.. CommandUsing(service), "--wallet", wallet, "--passphrase-file", PassphraseFile(WalletTestNetwork.Passphrase), "--network", network, "--json"]);

        AssertOneErrorLine(result, 1, $"{name} at {HostAndPort(Endpoint(shared.Network.Config, service))} failed attestation: MeasurementNotAccepted", "Check that the network configuration trusts this deployment");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Fact]
    public async Task Network_trusting_another_simulation_root_fails_attestation_of_the_first_service_asked()
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        using var stranger = SimulationRoot.Generate();
        var network = NetworkConfigWith(config => config.TrustedSimulationRoots = [stranger.PublicKeyHex]);

        var result = await RunAsync(["wallet", "balance", "--wallet", wallet, "--passphrase-file", PassphraseFile(WalletTestNetwork.Passphrase), "--network", network, "--json"]);

        AssertOneErrorLine(result, 1, $"fog view at {HostAndPort(shared.Network.Config.View)} failed attestation", "simulation root");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Fact]
    public async Task Recipient_whose_ingest_enclave_is_not_trusted_exits_1_and_sends_nothing()
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        var recipient = NewWallet("recipient.json", shared.Network.ConfigPath).Address;
        var network = NetworkConfigWith(config => config.Measurements["ingest"] = [new string('a', 64)]);

        var result = await RunAsync(["wallet", "send", recipient, "0.1MOB", "--wallet", wallet, "--passphrase-file", PassphraseFile(WalletTestNetwork.Passphrase), "--network", network, "--json"]);

        AssertOneErrorLine(result, 1, "the recipient's fog report (insecure-fog://", "cannot be used: EvidenceRejected (MeasurementNotAccepted)", "Nothing was sent; check that the network configuration trusts that fog deployment's ingest enclave");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    [Fact]
    public async Task Network_configuration_with_a_malformed_measurement_exits_2_naming_it()
    {
        var wallet = CopyOfFundedWallet("w.json");
        var before = File.ReadAllBytes(wallet);
        var network = NetworkConfigWith(config => config.Measurements["view"] = ["not-hex"]);

        var result = await RunAsync(["wallet", "balance", "--wallet", wallet, "--passphrase-file", PassphraseFile(WalletTestNetwork.Passphrase), "--network", network, "--json"]);

        AssertOneErrorLine(result, 2, "--network: ", "not-hex");
        Assert.Equal(before, File.ReadAllBytes(wallet));
    }

    // ---- no half-written wallet file ----

    [Fact]
    public void New_wallet_where_no_directory_can_be_made_exits_1_and_leaves_nothing_behind()
    {
        var notADirectory = Path.Combine(_directory, "plain-file.txt");
        File.WriteAllText(notADirectory, "");
        var wallet = Path.Combine(notADirectory, "w.json");

        var result = CliRunner.Run("wallet", "new", "--wallet", wallet, "--no-fog", "--passphrase-file", PassphraseFile("pw"));

        AssertOneErrorLine(result, 1, $"cannot write the wallet file {wallet}");
        Assert.Equal(0, new FileInfo(notADirectory).Length);
        AssertOnlyFiles(_directory, "plain-file.txt", "pw.pw");
    }

    [Fact]
    public void New_wallet_in_a_directory_not_made_yet_creates_it_with_a_complete_wallet_and_nothing_else()
    {
        var directory = Path.Combine(_directory, "not", "yet");
        var wallet = Path.Combine(directory, "w.json");

        var result = CliRunner.Run("wallet", "new", "--wallet", wallet, "--no-fog", "--passphrase-file", PassphraseFile("pw"), "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        AssertOnlyFiles(directory, "w.json");
        var address = CliRunner.Run("wallet", "address", "--wallet", wallet, "--passphrase-file", PassphraseFile("pw"));
        Assert.Equal(result.Json.GetProperty("address").GetString(), address.Output.Trim());
    }

    [Fact]
    public async Task Balance_whose_wallet_cannot_be_saved_exits_1_and_leaves_the_file_byte_for_byte()
    {
        // The temporary file is named ".<name>.<32 hex digits>.tmp": for a name of 220 characters that is longer than a
        // file name may be, so writing fails as it would in a read-only directory (which does not stop root, who may
        // run these tests).
        var directory = Directory.CreateDirectory(Path.Combine(_directory, "wallets")).FullName;
        var wallet = Path.Combine(directory, new string('w', 215) + ".json");
        File.Copy(shared.FundedWallet, wallet);
        var before = File.ReadAllBytes(wallet);

        var result = await RunAsync(["wallet", "balance", .. WalletArgs(wallet), "--json"]);

        AssertOneErrorLine(result, 1, $"cannot write the wallet file {wallet}");
        Assert.Equal(before, File.ReadAllBytes(wallet));
        AssertOnlyFiles(directory, Path.GetFileName(wallet));
    }

    // ---- helpers ----

    /// <summary>Exit code as given, stdout empty, and exactly one line on stderr: "fog: error: …" containing each of <paramref name="mentions"/>.</summary>
    private static string AssertOneErrorLine(CliRunner.Result result, int exitCode, params string[] mentions) =>
        AssertOneErrorLineAndStatus(result, exitCode, jsonStatus: null, mentions);

    /// <summary>As above; with <paramref name="jsonStatus"/>, stdout is instead a JSON object with that status.</summary>
    private static string AssertOneErrorLineAndStatus(CliRunner.Result result, int exitCode, string? jsonStatus, params string[] mentions)
    {
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}: {result.Output}{result.Error}");
        if (jsonStatus is null)
        {
            Assert.Equal("", result.Output);
        }
        else
        {
            Assert.Equal(jsonStatus, result.Json.GetProperty("status").GetString());
        }

        var line = Assert.Single(result.Error.Trim().Split('\n'));
        AssertErrorLine(line, mentions);
        return line;
    }

    /// <summary>As <see cref="AssertOneErrorLine(CliRunner.Result, int, string[])"/>, after progress lines ("… [t s] step").</summary>
    private static void AssertErrorAfterProgress(CliRunner.Result result, int exitCode, params string[] mentions)
    {
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}: {result.Output}{result.Error}");
        Assert.Equal("", result.Output);
        var lines = result.Error.Trim().Split('\n');
        Assert.All(lines[..^1], l => Assert.Matches(@"^… \[\d+\.\d s\] \S", l));
        AssertErrorLine(lines[^1], mentions);
    }

    private static void AssertErrorLine(string line, string[] mentions)
    {
        Assert.StartsWith("fog: error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, line, StringComparison.Ordinal);
        }
    }

    /// <summary>The directory holds exactly these files: no temporary or partial copies.</summary>
    private static void AssertOnlyFiles(string directory, params string[] names) =>
        Assert.Equal(names.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));

    /// <summary>A command that needs <paramref name="service"/>: a balance check asks view and (for a funded wallet) ledger; a payment asks the node.</summary>
    private static string[] CommandUsing(string service) =>
        service == "node" ? ["wallet", "send", NoFogRecipient, "0.1MOB"] : ["wallet", "balance"];

    private static ServiceEndpoint Endpoint(NetworkConfig config, string service) => service switch
    {
        "view" => config.View,
        "ledger" => config.Ledger,
        _ => config.Node,
    };

    private static string HostAndPort(ServiceEndpoint endpoint)
    {
        var uri = new Uri(endpoint.Uri);
        return $"{uri.Host}:{uri.Port}";
    }

    private string NetworkConfigWith(Action<NetworkConfig> change)
    {
        var config = NetworkConfig.Load(shared.Network.ConfigPath);
        change(config);
        var path = Path.Combine(_directory, $"network-{Guid.NewGuid():N}.json");
        config.Save(path);
        return path;
    }

    private string CopyOfFundedWallet(string name)
    {
        var wallet = Path.Combine(_directory, name);
        File.Copy(shared.FundedWallet, wallet);
        return wallet;
    }

    private string NewWallet(string name) => NewWallet(name, shared.Network.ConfigPath).Wallet;

    private (string Wallet, string Address) NewWallet(string name, string network)
    {
        var wallet = Path.Combine(_directory, name);
        var created = CliRunner.Run("wallet", "new", "--wallet", wallet, "--passphrase-file", PassphraseFile(WalletTestNetwork.Passphrase), "--network", network, "--json");
        Assert.True(created.ExitCode == 0, created.Error);
        return (wallet, created.Json.GetProperty("address").GetString()!);
    }

    private string[] WalletArgs(string wallet) => ["--wallet", wallet, "--passphrase-file", PassphraseFile(WalletTestNetwork.Passphrase), "--network", shared.Network.ConfigPath];

    /// <summary>A passphrase file named "&lt;passphrase&gt;.pw" in the test's directory.</summary>
    private string PassphraseFile(string passphrase)
    {
        var path = Path.Combine(_directory, $"{passphrase}.pw");
        File.WriteAllText(path, passphrase + "\n");
        return path;
    }

    /// <summary>The wallet's MOB balance: it opens with the passphrase and the network agrees.</summary>
    private async Task<ulong> BalanceAsync(string wallet)
    {
        var balance = await RunAsync(["wallet", "balance", .. WalletArgs(wallet), "--json"]);
        Assert.True(balance.ExitCode == 0, balance.Error);
        return balance.Json.GetProperty("mob_picomob").GetUInt64();
    }

    /// <summary>Runs a command off the test's thread (the servers it talks to run in this process).</summary>
    private static Task<CliRunner.Result> RunAsync(string[] args) => Task.Run(() => CliRunner.Run(args));

    /// <summary>Runs a command that must finish within <see cref="Prompt"/>; a command still waiting fails the test (and is left behind).</summary>
    private static async Task<CliRunner.Result> RunBoundedAsync(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var run = RunAsync(args);
        Assert.True(await Task.WhenAny(run, Task.Delay(Prompt)) == run, $"fog {string.Join(' ', args)} still waiting after {clock.Elapsed}");
        return await run;
    }

    /// <summary>The printable B58 form of a wrapper message (checksum included), whatever the message holds.</summary>
    private static string Printable(params byte[] wrapper)
    {
        var bytes = new byte[4 + wrapper.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Crc32.Compute(wrapper));
        wrapper.CopyTo(bytes, 4);
        return Base58.Encode(bytes);
    }

    private static string RecipientWithoutFog()
    {
        using var account = AccountKey.FromRootEntropy(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        return account.DefaultSubaddress.ToB58();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
