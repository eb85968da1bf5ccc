using System.Text.Json;
using Fog.Cli;
using Fog.Crypto.Ristretto;
using Fog.Services.Tests.Ingest.Support;

namespace Fog.Services.Tests.Ingest;

/// <summary><c>fog ingest …</c> against a real ingest server (reference: fog/ingest/client/tests, ingest.md §6 items 14–15).</summary>
public sealed class IngestCliTests
{
    [Fact]
    public async Task Key_records_are_filtered_by_lost_retired_and_start_block()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var node = await cluster.StartAsync("a");
        var admin = Admin(node);
        var (retired, lost, active) = (NewKey(), NewKey(), NewKey());
        await cluster.Db.NewIngressKeyAsync(retired, 123);
        await cluster.Db.RetireIngressKeyAsync(retired, true);
        await cluster.Db.NewIngressKeyAsync(lost, 456);
        await cluster.Db.NewIngressKeyAsync(active, 789);
        var lostResult = await RunAsync("ingest", "report-lost-key", Convert.ToHexStringLower(lost.Bytes), "--ingest", admin);
        Assert.Equal(0, lostResult.Code);

        Assert.Equal([active], await KeysAsync("ingest", "key-records", "--ingest", admin));
        Assert.Equal([lost, active], await KeysAsync("ingest", "key-records", "--include-lost", "--ingest", admin));
        Assert.Equal([retired, active], await KeysAsync("ingest", "key-records", "--include-retired", "--ingest", admin));
        Assert.Equal([lost, active], await KeysAsync("ingest", "key-records", "--include-lost", "--include-retired", "--start-block-at-least", "200", "--ingest", admin));
    }

    [Fact]
    public async Task Sync_keys_from_remote_prints_the_primarys_key_and_status_shows_the_mode()
    {
        await using var cluster = await IngestCluster.CreateAsync(IngestTestDatabase.Sqlite);
        var primary = await cluster.StartAsync("primary");
        var backup = await cluster.StartAsync("backup");

        var synced = await RunAsync("ingest", "sync-keys-from-remote", primary.PeerUri, "--ingest", Admin(backup));
        Assert.Equal(0, synced.Code);
        Assert.Equal(Convert.ToHexStringLower(await primary.IngressKeyAsync()), synced.Json.GetProperty("ingress_pubkey").GetString());

        var activated = await RunAsync("ingest", "activate", "--ingest", Admin(primary));
        Assert.Equal("active", activated.Json.GetProperty("mode").GetString());
        var status = await RunAsync("ingest", "status", "--ingest", Admin(backup));
        Assert.Equal("idle", status.Json.GetProperty("mode").GetString());

        // A refused operation is one line on stderr with the server's reason, and exit code 1.
        var refused = await RunAsync("ingest", "new-keys", "--ingest", Admin(primary));
        Assert.Equal(FogCommand.Failure, refused.Code);
        Assert.Contains("FailedPrecondition: ServerNotIdle", refused.Error, StringComparison.Ordinal);

        var bad = await RunAsync("ingest", "set-peers", "http://nope", "--ingest", Admin(primary));
        Assert.Equal(FogCommand.BadInput, bad.Code);
        var unreachable = await RunAsync("ingest", "status", "--ingest", "insecure-fog://127.0.0.1:1");
        Assert.Equal(FogCommand.Failure, unreachable.Code);
    }

    [Fact]
    public async Task Serving_with_missing_or_bad_settings_fails_with_a_message_naming_the_setting()
    {
        var directory = Directory.CreateTempSubdirectory("fog-ingest-cli-").FullName;
        try
        {
            var noSource = await RunAsync("serve", "ingest", "--recovery-db", $"sqlite:{Path.Combine(directory, "r.db")}");
            Assert.Equal(FogCommand.BadInput, noSource.Code);
            Assert.Contains("--ledger", noSource.Error, StringComparison.Ordinal);

            var badDb = await RunAsync("serve", "ingest", "--ledger", directory, "--recovery-db", "mysql:nope");
            Assert.Equal(FogCommand.BadInput, badDb.Code);
            Assert.Contains("--recovery-db", badDb.Error, StringComparison.Ordinal);

            var badCapacity = await RunAsync("serve", "ingest", "--ledger", directory, "--user-capacity", "1000", "--recovery-db", $"sqlite:{Path.Combine(directory, "r.db")}");
            Assert.Equal(FogCommand.BadInput, badCapacity.Code);
            Assert.Contains("--user-capacity", badCapacity.Error, StringComparison.Ordinal);

            var noChain = await RunAsync("serve", "report", "--recovery-db", $"sqlite:{Path.Combine(directory, "r.db")}", "--signing-chain", Path.Combine(directory, "missing.pem"), "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0");
            Assert.Equal(FogCommand.Failure, noChain.Code);
            Assert.Contains("missing.pem", noChain.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Admin(IngestNode node) => $"insecure-fog://127.0.0.1:{node.Server.ClientUri.Port}";

    private static RistrettoPublic NewKey() => RistrettoPublic.FromUniformBytes(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));

    private static async Task<RistrettoPublic[]> KeysAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.Equal(0, result.Code);
        return result.Json.GetProperty("records").EnumerateArray()
            .Select(r => RistrettoPublic.From(Convert.FromHexString(r.GetProperty("ingress_public_key").GetString()!)))
            .ToArray();
    }

    private static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Task.Run(() => FogCommand.Run(args, output, error));
        return new CliResult(code, output.ToString(), error.ToString());
    }

    private sealed record CliResult(int Code, string Output, string Error)
    {
        public JsonElement Json => JsonDocument.Parse(Output).RootElement;
    }
}
