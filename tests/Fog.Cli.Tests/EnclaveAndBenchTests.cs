namespace Fog.Cli.Tests;

public class EnclaveAndBenchTests
{
    [Fact]
    public void Enclave_measure_prints_a_distinct_measurement_per_enclave()
    {
        var result = CliRunner.Run("enclave", "measure");
        Assert.Equal(0, result.ExitCode);
        var measurements = new[] { "consensus", "ingest", "view", "ledger" }
            .Select(name => result.Json.GetProperty(name).GetProperty("measurement").GetString()!)
            .ToList();
        Assert.All(measurements, m => Assert.Equal(64, m.Length));
        Assert.Equal(4, measurements.Distinct().Count());
        Assert.Equal("simulation", result.Json.GetProperty("view").GetProperty("mode").GetString());

        // Deterministic for a build.
        Assert.Equal(result.Output, CliRunner.Run("enclave", "measure").Output);
    }

    [Fact]
    public void Quick_oram_benchmark_prints_a_line_per_shape()
    {
        var result = CliRunner.Run("bench", "oram", "--quick");
        Assert.Equal(0, result.ExitCode);
        foreach (var shape in new[] { "view", "ingest", "key-image" })
        {
            Assert.Contains(shape, result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Quick_wallet_benchmark_restores_the_funded_wallet_and_prints_each_case()
    {
        // The benchmark itself checks that every restore finds exactly the outputs it paid (it fails otherwise), and
        // that an incremental check and the payments leave the balances where they should be.
        var result = CliRunner.Run("bench", "wallet", "--quick");
        Assert.True(result.ExitCode == 0, result.Error);
        foreach (var line in new[]
        {
            "full restore, 100 outputs", "incremental check, nothing new", "send until the recipient sees it",
            "baseline: restore's round trips, bare", "baseline: incremental's round trips, bare",
            "baseline: attested view query, no keys", "baseline: attested check of 1 key image",
        })
        {
            Assert.Contains(line, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("SIMULATION MODE", result.Output, StringComparison.Ordinal);
        Assert.Contains("100 of 100 outputs in blocks", result.Error, StringComparison.Ordinal);
        Assert.Contains("restores found the 100 outputs paid, balance 100 MOB", result.Error, StringComparison.Ordinal);
    }
}
