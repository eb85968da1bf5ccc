using System.Text.Json;
using Fog.Cli;
using Fog.Services.Hosting;
using Fog.Services.Report;
using Fog.Storage.Recovery;

namespace Fog.Services.Tests.Report;

/// <summary><c>fog report dev-chain</c> and <c>fog report show</c>.</summary>
public sealed class ReportCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fog-report-cli-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Dev_chain_writes_a_chain_the_report_server_accepts_and_prints_its_authority_spki()
    {
        var output = Path.Combine(_directory, "chain");
        var (code, text, _) = Run("report", "dev-chain", "--out", output, "--days", "30");
        Assert.Equal(0, code);
        var json = JsonDocument.Parse(text).RootElement;
        var spki = json.GetProperty("authority_spki").GetString()!;
        Assert.Equal(spki + "\n", await File.ReadAllTextAsync(Path.Combine(output, "authority-spki.hex")));

        using var material = ReportSigningMaterial.Load(json.GetProperty("signing_chain").GetString()!, json.GetProperty("signing_key").GetString()!, DateTimeOffset.UtcNow);
        Assert.Equal(spki, Convert.ToHexStringLower(material.RootSubjectPublicKeyInfo));
        Assert.True(material.NotAfter < DateTime.UtcNow.AddDays(31));

        // Never overwrites an existing chain; bad input is exit code 2.
        Assert.Equal(FogCommand.Failure, Run("report", "dev-chain", "--out", output).Code);
        Assert.Equal(FogCommand.BadInput, Run("report", "dev-chain", "--out", Path.Combine(_directory, "x"), "--days", "0").Code);

        // fog report show reads what a server publishes.
        await using var db = await new RecoveryDbBuilder().UseSqlite(Path.Combine(_directory, "recovery.db")).BuildAsync();
        await using var server = await ReportServer.StartAsync(
            new ReportServerOptions
            {
                Listen = new FogEndpoint("127.0.0.1", 0),
                Metrics = null,
                SigningChainPath = Path.Combine(output, "chain.pem"),
                SigningKeyPath = Path.Combine(output, "signing-key.pem"),
                LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            },
            db);
        var shown = await Task.Run(() => Run("report", "show", "--report", server.FogReportUrl));
        Assert.Equal(0, shown.Code);
        Assert.Equal(3, JsonDocument.Parse(shown.Output).RootElement.GetProperty("certificates").GetInt32());
        Assert.Equal(FogCommand.BadInput, Run("report", "show", "--report", "http://x").Code);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = FogCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
