using System.Net;
using System.Net.Sockets;
using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Fog.Storage.Tests.Recovery;

/// <summary>
/// Failures in the middle of a write leave nothing behind, and failures say whether a retry can help.
/// Faults are injected with triggers that fail a statement after earlier statements of the same transaction
/// have already written rows.
/// </summary>
public sealed class FaultTests
{
    private static readonly RecoveryDbRetryPolicy QuickRetry = new() { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(10) };

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_failure_after_the_block_row_was_written_rolls_back_the_whole_add_block_data(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, iid) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        await t.Db.AddBlockDataAsync(iid, 0, 1, 1, TestData.Records(1, 0));
        var lastActive = (await t.Db.GetIngestInvocationAsync(iid))!.LastActiveAt;
        t.Clock.Advance(TimeSpan.FromSeconds(5));
        await InjectFaultAsync(t, "BEFORE UPDATE", "ingest_invocations"); // the last-active bump comes after the block insert

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.AddBlockDataAsync(iid, 1, 2, 2, TestData.Records(4, 1)));

        Assert.Equal(RecoveryDbError.Failed, error.Error);
        Assert.False(error.IsTransient);
        Assert.Equal(1, await t.CountRowsAsync("ingested_blocks"));
        Assert.Null(await t.Db.GetTxOutsByBlockAndKeyAsync(key, 1));
        Assert.Equal(lastActive, (await t.Db.GetIngestInvocationAsync(iid))!.LastActiveAt);

        await RemoveFaultAsync(t, "ingest_invocations");
        var records = TestData.Records(4, 1);
        Assert.Equal(AddBlockDataStatus.Added, (await t.Db.AddBlockDataAsync(iid, 1, 2, 2, records)).Status);
        Assert.Equal(records, await t.Db.GetTxOutsByBlockAndKeyAsync(key, 1));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_failure_while_publishing_events_rolls_back_the_new_invocation_and_the_decommission_of_the_previous_one(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, previous) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        await InjectFaultAsync(t, "BEFORE INSERT", "user_events");

        await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.NewIngestInvocationAsync(previous, key, TestData.NewEgress(), 0));

        Assert.False((await t.Db.GetIngestInvocationAsync(previous))!.Decommissioned);
        Assert.Equal(1, await t.CountRowsAsync("ingest_invocations"));
        Assert.Single((await t.Db.SearchUserEventsAsync(0)).Events);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_failure_while_announcing_the_missed_range_leaves_the_key_not_lost(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, _) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        await t.Db.SetReportAsync(key, "", new ReportData(null, new byte[] { 1 }, 10));
        await InjectFaultAsync(t, "BEFORE INSERT", "user_events");

        await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.ReportLostIngressKeyAsync(key));

        Assert.False((await t.Db.GetIngressKeyStatusAsync(key))!.Lost);
        await RemoveFaultAsync(t, "user_events");
        Assert.Equal(new BlockRange(0, 10), await t.Db.ReportLostIngressKeyAsync(key));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_failure_while_storing_a_report_leaves_the_key_expiry_unchanged(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, _) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        await t.Db.SetReportAsync(key, "", new ReportData(null, new byte[] { 1 }, 10));
        await InjectFaultAsync(t, "BEFORE UPDATE", "reports");

        await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.SetReportAsync(key, "", new ReportData(null, new byte[] { 2 }, 99)));

        Assert.Equal(10UL, (await t.Db.GetIngressKeyStatusAsync(key))!.PubkeyExpiry);
        Assert.Equal(new byte[] { 1 }, Assert.Single(await t.Db.GetAllReportsAsync()).Data.Report.ToArray());
    }

    [Fact]
    public async Task An_unreachable_postgres_server_is_a_transient_error()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() =>
            new RecoveryDbBuilder().UsePostgres($"Host=127.0.0.1;Port={port};Username=fog;Timeout=5").UseRetryPolicy(QuickRetry).BuildAsync());

        Assert.Equal(RecoveryDbError.Unavailable, error.Error);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task A_sqlite_writer_that_cannot_get_the_lock_in_time_gets_a_transient_error_and_its_retry_succeeds()
    {
        await using var t = await TestDatabase.CreateAsync(Backends.Sqlite);
        var (key, iid) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        await using var impatientDb = await new RecoveryDbBuilder().UseSqlite(t.Location, busyTimeout: TimeSpan.FromSeconds(1)).UseRetryPolicy(RecoveryDbRetryPolicy.None).BuildAsync();
        await using (var holder = await t.OpenRawAsync())
        {
            await using var transaction = ((SqliteConnection)holder).BeginTransaction(deferred: false); // holds the write lock

            var error = await Assert.ThrowsAsync<RecoveryDbException>(() => impatientDb.AddBlockDataAsync(iid, 0, 1, 1, TestData.Records(1, 0)));

            Assert.Equal(RecoveryDbError.Busy, error.Error);
            Assert.True(error.IsTransient);
        }

        Assert.Equal(AddBlockDataStatus.Added, (await impatientDb.AddBlockDataAsync(iid, 0, 1, 1, TestData.Records(1, 0))).Status);
        Assert.Equal(TestData.Records(1, 0), await t.Db.GetTxOutsByBlockAndKeyAsync(key, 0));
    }

    [Fact]
    public async Task A_file_that_is_not_a_sqlite_database_is_reported_as_corrupt()
    {
        var directory = Directory.CreateTempSubdirectory("fog-recovery-db-");
        try
        {
            var path = Path.Combine(directory.FullName, "recovery.db");
            await File.WriteAllBytesAsync(path, new Random(5).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 8192));

            var error = await Assert.ThrowsAsync<RecoveryDbException>(() => new RecoveryDbBuilder().UseSqlite(path).BuildAsync());

            Assert.Equal(RecoveryDbError.CorruptData, error.Error);
            Assert.False(error.IsTransient);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public async Task A_postgres_writer_killed_mid_transaction_leaves_no_partial_rows_and_its_retry_succeeds()
    {
        await using var t = await TestDatabase.CreateAsync(Backends.Postgres);
        var (key, iid) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        var name = $"killed-writer-{Guid.NewGuid():N}";
        var writer = await t.OpenAnotherAsync(name, RecoveryDbRetryPolicy.None);
        var lastActive = (await t.Db.GetIngestInvocationAsync(iid))!.LastActiveAt;
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        var gate = await GateAfterBlockInsertAsync(t);
        await using var gateHolder = await t.OpenRawAsync();
        await Postgres.ExecuteAsync(gateHolder, $"SELECT pg_advisory_lock({gate})");

        var write = writer.AddBlockDataAsync(iid, 0, 1, 1, TestData.Records(3, 0));
        await Postgres.WaitUntilAsync(t, () => Postgres.IsWaitingOnLockAsync(t, name), "the writer to be held after inserting the block row");
        Assert.Equal(1L, (long)(await t.ScalarRawAsync($"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{name}' AND wait_event_type = 'Lock'"))!);
        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => write);

        Assert.True(error.IsTransient, error.ToString());
        Assert.Equal(RecoveryDbError.Unavailable, error.Error);
        Assert.Equal(0, await t.CountRowsAsync("ingested_blocks"));
        Assert.Equal(lastActive, (await t.Db.GetIngestInvocationAsync(iid))!.LastActiveAt);

        await Postgres.ExecuteAsync(gateHolder, $"SELECT pg_advisory_unlock({gate})");
        var records = TestData.Records(3, 0);
        Assert.Equal(new AddBlockDataResult(AddBlockDataStatus.Added, iid), await writer.AddBlockDataAsync(iid, 0, 1, 1, records));
        Assert.Equal(records, await t.Db.GetTxOutsByBlockAndKeyAsync(key, 0));
        Assert.Equal(t.Clock.Now, (await t.Db.GetIngestInvocationAsync(iid))!.LastActiveAt);
    }

    /// <summary>Makes every statement that writes <paramref name="table"/> fail (a "disk error" in the middle of a transaction).</summary>
    internal static Task InjectFaultAsync(TestDatabase t, string timing, string table) =>
        t.ExecuteRawAsync(t.IsPostgres
            ? $"""
              CREATE OR REPLACE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$;
              CREATE TRIGGER inject_fault_{table} {timing} ON {table} FOR EACH ROW EXECUTE FUNCTION inject_fault();
              """
            : $"CREATE TRIGGER inject_fault_{table} {timing} ON {table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");

    internal static Task RemoveFaultAsync(TestDatabase t, string table) =>
        t.ExecuteRawAsync(t.IsPostgres ? $"DROP TRIGGER inject_fault_{table} ON {table}" : $"DROP TRIGGER inject_fault_{table}");

    /// <summary>
    /// PostgreSQL only: after a block row is inserted, the writer waits for a shared advisory lock on the
    /// returned key, so a test holding that lock exclusively can freeze a writer in the middle of its transaction.
    /// </summary>
    internal static async Task<long> GateAfterBlockInsertAsync(TestDatabase t)
    {
        var gate = Random.Shared.NextInt64(1, long.MaxValue);
        await t.ExecuteRawAsync($"""
            CREATE FUNCTION gate_blocks() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock_shared({gate}); RETURN NEW; END $$;
            CREATE TRIGGER gate_blocks AFTER INSERT ON ingested_blocks FOR EACH ROW EXECUTE FUNCTION gate_blocks();
            """);
        return gate;
    }
}
