using System.Net;
using System.Net.Sockets;
using Fog.Attestation.Evidence;
using Fog.Cli.Network;
using Fog.Client;
using Fog.Client.Reports;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Cli.Tests;

/// <summary>fog demo, fog up's network and the wallet commands against it: every service on real loopback sockets.</summary>
public sealed class DevNetworkTests : IDisposable
{
    private const ulong Mob = 1_000_000_000_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("fog-devnet-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private DevNetworkOptions Options(string name = "net") => new() { DataDirectory = Path.Combine(_directory, name), EphemeralPorts = true };

    [Fact]
    public void Demo_pays_a_fog_user_who_finds_the_payment_and_exits_zero()
    {
        var demo = CliRunner.RunProcess("demo");

        Assert.True(demo.ExitCode == 0, demo.Output + demo.Error);
        Assert.Contains("SIMULATION MODE", demo.Output, StringComparison.Ordinal);
        Assert.Contains("faucet paid Alice 10.0 MOB", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Bob found 2.5 MOB through fog; its memo proves it is from Alice", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Alice's balance is now 7.4996 MOB", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Bob's balance is now 1.4996 MOB", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Alice found Bob's 1.0 MOB through fog (memo from Bob); her balance is 8.4996 MOB", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Demo complete", demo.Output, StringComparison.Ordinal);
        Assert.EndsWith("Alice 8.4996 MOB, Bob 1.4996 MOB, every balance found through attested, oblivious fog queries (SIMULATION MODE).", demo.Output.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wallet_commands_fund_pay_and_find_payments_on_a_running_network()
    {
        await using var network = await DevNetwork.StartAsync(Options());
        await network.CaughtUpAsync();
        var config = network.ConfigPath;
        var admin = $"insecure-fog://{network.Node.AdminUri.Host}:{network.Node.AdminUri.Port}";
        var passphrase = Path.Combine(_directory, "passphrase");
        await File.WriteAllTextAsync(passphrase, "pw\n");
        string[] Wallet(string name) => ["--wallet", Path.Combine(_directory, name), "--passphrase-file", passphrase, "--network", config];

        var alice = await Cli(["wallet", "new", .. Wallet("alice.json"), "--json"]);
        var bob = await Cli(["wallet", "new", .. Wallet("bob.json"), "--json"]);
        var aliceAddress = alice.Json.GetProperty("address").GetString()!;
        var bobAddress = bob.Json.GetProperty("address").GetString()!;
        Assert.True(Model.Addresses.PublicAddress.ParseB58(aliceAddress).HasFog);

        var faucet = await Cli(["node", "faucet", aliceAddress, "10MOB", "--node-admin", admin, "--network", config]);
        var fundedBlock = faucet.Json.GetProperty("block_index").GetUInt64();

        var balance = await WaitForBalance(Wallet("alice.json"), 10 * Mob);
        Assert.True(balance.GetProperty("valid_at_block_count").GetUInt64() > fundedBlock);

        var sent = await Cli(["wallet", "send", bobAddress, "2.5MOB", .. Wallet("alice.json")]);
        Assert.Matches(@"^Paid 2\.5 MOB \(fee 0\.0004 MOB\) in block \d+\.", sent.Output);

        await WaitForBalance(Wallet("bob.json"), 2 * Mob + Mob / 2);
        await WaitForBalance(Wallet("alice.json"), 10 * Mob - 2 * Mob - Mob / 2 - 400_000_000);
        var history = await Cli(["wallet", "history", .. Wallet("alice.json"), "--json", "--offline"]);
        var entries = history.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("direction").GetString()).ToList();
        Assert.Contains("received", entries, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("sent", entries, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Restarted_network_keeps_its_ledger_ingress_key_and_users_balances()
    {
        using var alice = AccountKey.FromRootEntropy(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray());
        byte[] ingressKey;
        await using (var network = await DevNetwork.StartAsync(Options()))
        {
            ingressKey = network.Ingest.Summary.IngressPubkey.Data.ToByteArray();
            var fogAlice = alice.WithFog(new FogInfo(network.Config.FogReportUrl, "", Convert.FromHexString(network.Config.FogAuthoritySpki)));
            using var resolver = new FogReportResolver(network.Config.PolicyFor("ingest", EnclaveProductId.Ingest));
            var pubkey = await resolver.ResolveAsync(fogAlice.DefaultSubaddress);
            var paid = await network.Node.Node.PayFromFaucetAsync(fogAlice.DefaultSubaddress, new Amount(3 * Mob, Amount.MobTokenId), pubkey.IngressPublicKey, CancellationToken.None);
            Assert.True(paid.Succeeded, paid.Error);
            await WaitUntil(() => $"view {network.View.Progress}", async () => await BalanceOf(network.Config, fogAlice) == 3 * Mob);
        }

        await using (var restarted = await DevNetwork.StartAsync(Options()))
        {
            Assert.Equal(ingressKey, restarted.Ingest.Summary.IngressPubkey.Data.ToByteArray());
            Assert.Equal(2UL, restarted.Node.Ledger.NumBlocks);
            await restarted.CaughtUpAsync();
            Assert.Equal(3 * Mob, await BalanceOf(restarted.Config, alice));
        }
    }

    [Fact]
    public async Task Network_config_for_separate_services_trusts_what_the_running_services_attest_with()
    {
        await using var network = await DevNetwork.StartAsync(Options());
        var written = Path.Combine(_directory, "written.json");

        var result = CliRunner.Run(
            "network", "config", "--fog-report-url", network.Config.FogReportUrl, "--view", network.Config.View.Uri,
            "--authority-spki-file", Path.Combine(network.DataDirectory, "report", "authority-spki.hex"),
            "--simulation-root", Path.Combine(network.DataDirectory, "simulation-root.key"), "--out", written);

        Assert.True(result.ExitCode == 0, result.Error);
        var config = NetworkConfig.Load(written);
        Assert.Equal(network.Config.TrustedSimulationRoots, config.TrustedSimulationRoots);
        Assert.Equal(network.Config.FogAuthoritySpki, config.FogAuthoritySpki);
        Assert.Equal(network.Config.FogReportUrl, config.FogReportUrl);
        Assert.Equal(network.Config.View.Uri, config.View.Uri);
        Assert.Equal("insecure-fog://127.0.0.1:3200", config.Node.Uri);
        foreach (var (enclave, measurements) in network.Config.Measurements)
        {
            Assert.Equal(measurements, config.Measurements[enclave]);
        }

        var missing = CliRunner.Run("network", "config", "--simulation-root", Path.Combine(_directory, "none.key"), "--out", written);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--simulation-root", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_says_SERVING_for_each_running_service_and_exits_1_when_nothing_answers()
    {
        await using var network = await DevNetwork.StartAsync(Options());
        foreach (var service in new[] { network.Config.Node, network.Config.View, network.Config.Ledger })
        {
            var result = CliRunner.Run("health", service.Uri);
            Assert.True(result.ExitCode == 0, $"{service.Uri}: {result.Error}");
            Assert.Equal("SERVING", result.Output.Trim());
        }

        var view = CliRunner.Run("health", network.Config.View.Uri, "--service", "fog_view.FogViewAPI");
        Assert.Equal("SERVING", view.Output.Trim());

        using var unused = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        unused.Start();
        var port = ((System.Net.IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();
        var nobody = CliRunner.Run("health", $"insecure-fog://127.0.0.1:{port}", "--timeout", "2");
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains("no health answer", nobody.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_in_use_is_reported_in_one_line()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var result = CliRunner.Run(
            "serve", "node", "--listen", $"127.0.0.1:{port}", "--admin", "127.0.0.1:0", "--metrics", "127.0.0.1:0",
            "--ledger", Path.Combine(_directory, "ledger"), "--simulation-root", Path.Combine(_directory, "root.key"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", result.Error, StringComparison.Ordinal);
        Assert.Contains("is another fog server using the port?", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    private static async Task<ulong> BalanceOf(NetworkConfig config, AccountKey account)
    {
        using var client = FogClient.Connect(config, account);
        return (await client.CheckBalanceAsync()).Mob;
    }

    private static async Task<System.Text.Json.JsonElement> WaitForBalance(string[] wallet, ulong expected)
    {
        System.Text.Json.JsonElement last = default;
        await WaitUntil(() => last.ToString(), async () =>
        {
            last = (await Cli(["wallet", "balance", .. wallet, "--json"])).Json;
            return last.GetProperty("mob_picomob").GetUInt64() == expected;
        });
        return last;
    }

    private static async Task WaitUntil(Func<string> describe, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out; last state: {describe()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Runs a command off the test's thread (the servers it talks to run in this process) and requires success.</summary>
    private static async Task<CliRunner.Result> Cli(string[] args)
    {
        var result = await Task.Run(() => CliRunner.Run(args));
        Assert.True(result.ExitCode == 0, $"fog {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
        return result;
    }
}
