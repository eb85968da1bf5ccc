using System.Diagnostics;
using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>Stopping the server would break every other PostgreSQL test, so this collection runs alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresOutageCollection
{
    public const string Name = "PostgreSQL outage";
}

/// <summary>
/// A real outage: the test stops the throwaway PostgreSQL server (<c>FOG_TEST_POSTGRES_PGCTL</c>,
/// <c>FOG_TEST_POSTGRES_DATA</c>, set by .ci/run) while a write is in flight, and starts it again.
/// </summary>
[Collection(PostgresOutageCollection.Name)]
public sealed class PostgresOutageTests
{
    [SkippableFact]
    public async Task A_server_outage_during_a_write_is_a_transient_error_and_the_retry_succeeds_once_the_server_is_back()
    {
        var pgCtl = Environment.GetEnvironmentVariable("FOG_TEST_POSTGRES_PGCTL");
        var data = Environment.GetEnvironmentVariable("FOG_TEST_POSTGRES_DATA");
        Skip.If(string.IsNullOrEmpty(pgCtl) || string.IsNullOrEmpty(data), "FOG_TEST_POSTGRES_PGCTL and FOG_TEST_POSTGRES_DATA are not set: this test needs a server it may stop (.ci/run starts one).");
        await using var t = await TestDatabase.CreateAsync(Backends.Postgres);
        var (key, iid) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        var block0 = TestData.Records(5, 0);
        await t.Db.AddBlockDataAsync(iid, 0, 5, 100, block0);
        var name = $"outage-writer-{Guid.NewGuid():N}";
        var writer = await t.OpenAnotherAsync(name, new RecoveryDbRetryPolicy { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(50) });
        var gate = await FaultTests.GateAfterBlockInsertAsync(t);
        var block1 = TestData.Records(8, 1);
        t.Clock.Advance(TimeSpan.FromSeconds(3));

        try
        {
            // 1. A write is in the middle of its transaction (block row inserted, not committed) when the server goes down.
            await using (var gateHolder = await t.OpenRawAsync())
            {
                await Postgres.ExecuteAsync(gateHolder, $"SELECT pg_advisory_lock({gate})");
                var inFlight = writer.AddBlockDataAsync(iid, 1, 13, 101, block1);
                await Postgres.WaitUntilAsync(t, () => Postgres.IsWaitingOnLockAsync(t, name), "the write to be in flight");
                await PgCtlAsync(pgCtl!, "stop", "-D", data!, "-m", "fast", "-w", "-t", "60");

                var duringWrite = await Assert.ThrowsAsync<RecoveryDbException>(() => inFlight);
                Assert.True(duringWrite.IsTransient, duringWrite.ToString());
                Assert.Equal(RecoveryDbError.Unavailable, duringWrite.Error);
            }

            // 2. While the server is down, writes and reads fail the same way (after the reads' own bounded retries).
            var whileDown = await Assert.ThrowsAsync<RecoveryDbException>(() => writer.AddBlockDataAsync(iid, 1, 13, 101, block1));
            Assert.True(whileDown.IsTransient);
            var readWhileDown = await Assert.ThrowsAsync<RecoveryDbException>(() => writer.GetHighestKnownBlockIndexAsync());
            Assert.True(readWhileDown.IsTransient);
        }
        finally
        {
            await EnsureRunningAsync(pgCtl!, data!);
        }

        // 3. The caller's retry succeeds once the server is back, and the interrupted transaction left nothing behind.
        AddBlockDataResult? result = null;
        for (var attempt = 0; attempt < 100 && result is null; attempt++)
        {
            try
            {
                result = await writer.AddBlockDataAsync(iid, 1, 13, 101, block1);
            }
            catch (RecoveryDbException e) when (e.IsTransient)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(new AddBlockDataResult(AddBlockDataStatus.Added, iid), result);
        Assert.Equal(2, await t.CountRowsAsync("ingested_blocks"));
        Assert.Equal(block0, await t.Db.GetTxOutsByBlockAndKeyAsync(key, 0));
        Assert.Equal(block1, await t.Db.GetTxOutsByBlockAndKeyAsync(key, 1));
        Assert.Equal(13UL, await t.Db.GetCumulativeTxoCountForBlockAsync(1));
        Assert.Equal(t.Clock.Now, (await t.Db.GetIngestInvocationAsync(iid))!.LastActiveAt);
    }

    private static async Task EnsureRunningAsync(string pgCtl, string data)
    {
        if (await PgCtlAsync(pgCtl, check: false, "status", "-D", data) != 0)
        {
            await PgCtlAsync(pgCtl, "start", "-D", data, "-w", "-t", "60", "-l", Path.Combine(data, "fog-test-restart.log"));
        }
    }

    private static Task<int> PgCtlAsync(string pgCtl, params string[] arguments) => PgCtlAsync(pgCtl, check: true, arguments);

    private static async Task<int> PgCtlAsync(string pgCtl, bool check, params string[] arguments)
    {
        var start = new ProcessStartInfo(pgCtl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (check && process.ExitCode != 0)
        {
            Assert.Fail($"pg_ctl {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output} {await error}");
        }

        return process.ExitCode;
    }
}
