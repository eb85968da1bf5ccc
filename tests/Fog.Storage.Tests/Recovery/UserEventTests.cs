using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>User events read by cursor (reference/ingest.md §2.3, §6 item 19; reference/view.md §2.5).</summary>
public sealed class UserEventTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Search_from_zero_returns_rng_records_then_the_decommission_then_missed_ranges_in_id_order(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var db = t.Db;
        var key = TestData.NewKey();
        await db.NewIngressKeyAsync(key, 0);
        var egress = new[] { TestData.NewEgress(), TestData.NewEgress(), TestData.NewEgress() };
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await db.NewIngestInvocationAsync(null, key, egress[i], (ulong)i * 5));
        }

        await db.DecommissionIngestInvocationAsync(ids[1]);
        foreach (var (start, expiry) in new[] { (10UL, 20UL), (30UL, 40UL) })
        {
            var lost = TestData.NewKey();
            Assert.Equal(start, await db.NewIngressKeyAsync(lost, start));
            await db.SetReportAsync(lost, $"report-{start}", new ReportData(null, new byte[] { 9 }, expiry));
            await db.ReportLostIngressKeyAsync(lost);
        }

        var page = await db.SearchUserEventsAsync(0);

        Assert.Collection(
            page.Events,
            e => Assert.Equal(new { Id = ids[0], Pubkey = egress[0], Start = 0UL }, RngOf(e)),
            e => Assert.Equal(new { Id = ids[1], Pubkey = egress[1], Start = 5UL }, RngOf(e)),
            e => Assert.Equal(new { Id = ids[2], Pubkey = egress[2], Start = 10UL }, RngOf(e)),
            e => Assert.Equal((ids[1], 0UL), Decommission(e)),
            e => Assert.Equal(new BlockRange(10, 20), Assert.IsType<MissingBlocksEvent>(e).Range),
            e => Assert.Equal(new BlockRange(30, 40), Assert.IsType<MissingBlocksEvent>(e).Range));
        Assert.Equal(page.Events.Select(e => e.Id).Order(), page.Events.Select(e => e.Id));
        Assert.Equal(page.Events.Select(e => e.Id).Distinct().Count(), page.Events.Count);
        Assert.Equal(page.Events[^1].Id, page.NextStartFromUserEventId);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_cursor_at_or_past_the_last_event_returns_nothing_and_echoes_the_cursor(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        var all = await t.Db.SearchUserEventsAsync(0);
        var last = all.NextStartFromUserEventId;

        Assert.Equal(2, all.Events.Count);
        AssertEmptyPage(last, await t.Db.SearchUserEventsAsync(last));
        AssertEmptyPage(last + 10, await t.Db.SearchUserEventsAsync(last + 10));
        AssertEmptyPage(long.MaxValue, await t.Db.SearchUserEventsAsync(long.MaxValue));
        var tail = await t.Db.SearchUserEventsAsync(all.Events[0].Id);
        Assert.Equal([all.Events[1]], tail.Events);
        Assert.Equal(last, tail.NextStartFromUserEventId);
        Assert.Equal(all.Events, (await t.Db.SearchUserEventsAsync(-5)).Events);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task An_empty_database_has_no_events_and_echoes_the_cursor(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);

        AssertEmptyPage(0, await t.Db.SearchUserEventsAsync(0));
        Assert.Empty(await t.Db.GetMissedBlockRangesAsync());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_decommission_event_reports_the_last_block_its_invocation_stored(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (_, iid) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        for (ulong block = 0; block <= 6; block++)
        {
            await t.Db.AddBlockDataAsync(iid, block, block, block, TestData.Records(1, (int)block));
        }

        await t.Db.DecommissionIngestInvocationAsync(iid);

        var decommission = Assert.Single((await t.Db.SearchUserEventsAsync(0)).Events.OfType<DecommissionedIngestInvocationEvent>());
        Assert.Equal(iid, decommission.IngestInvocationId);
        Assert.Equal(6UL, decommission.LastIngestedBlock);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Polling_with_the_returned_cursor_sees_every_event_exactly_once_while_writers_run(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var writers = new List<IRecoveryDb>();
        for (var i = 0; i < 3; i++)
        {
            writers.Add(await t.OpenAnotherAsync($"writer-{i}"));
        }

        var writing = Task.WhenAll(writers.Select(writer => Task.Run(async () =>
        {
            long? previous = null;
            for (var round = 0; round < 15; round++)
            {
                // Each rotation commits two events (decommission + new RNG) in one transaction.
                previous = await writer.NewIngestInvocationAsync(previous, key, TestData.NewEgress(), (ulong)round);
            }
        })));

        var seen = new List<UserEvent>();
        var cursor = 0L;
        while (true)
        {
            var done = writing.IsCompleted;
            var page = await t.Db.SearchUserEventsAsync(cursor);
            seen.AddRange(page.Events);
            cursor = page.NextStartFromUserEventId;
            if (done)
            {
                break;
            }

            await Task.Yield();
        }

        await writing;
        var all = (await t.Db.SearchUserEventsAsync(0)).Events;
        Assert.Equal(3 * ((15 * 2) - 1), all.Count);
        Assert.Equal(all.Select(e => e.Id), seen.Select(e => e.Id));
        Assert.Equal(all, seen);
    }

    [SkippableFact]
    public async Task Event_ids_become_visible_in_commit_order_on_postgres()
    {
        // Sequence ids are taken at insert time but become visible at commit. Without serialising event writers,
        // a later id can commit first; a reader then advances its cursor past an id that commits afterwards and
        // never sees that event. Here writer A takes an id and is held before committing while writer B runs.
        await using var t = await TestDatabase.CreateAsync(Backends.Postgres);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var gate = Random.Shared.NextInt64(1, long.MaxValue);
        await t.ExecuteRawAsync($"""
            CREATE FUNCTION gate_events() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.event_type = 'new_ingest_invocation'
                   AND (SELECT start_block FROM ingest_invocations WHERE id = NEW.new_ingest_invocation_id) = 999 THEN
                    PERFORM pg_advisory_xact_lock_shared({gate});
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER gate_events AFTER INSERT ON user_events FOR EACH ROW EXECUTE FUNCTION gate_events();
            """);
        var nameA = $"events-a-{Guid.NewGuid():N}";
        var nameB = $"events-b-{Guid.NewGuid():N}";
        var writerA = await t.OpenAnotherAsync(nameA);
        var writerB = await t.OpenAnotherAsync(nameB);
        await using var gateHolder = await t.OpenRawAsync();
        await Postgres.ExecuteAsync(gateHolder, $"SELECT pg_advisory_lock({gate})");

        Task<long> a;
        Task<long> b;
        UserEventPage during;
        try
        {
            a = writerA.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 999);
            await Postgres.WaitUntilAsync(t, () => Postgres.IsWaitingOnLockAsync(t, nameA), "writer A to be held after inserting its event");
            b = writerB.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 5);
            await Postgres.WaitUntilAsync(t, async () => b.IsCompleted || await Postgres.IsWaitingOnLockAsync(t, nameB), "writer B to finish or wait");
            during = await t.Db.SearchUserEventsAsync(0);
        }
        finally
        {
            await Postgres.ExecuteAsync(gateHolder, $"SELECT pg_advisory_unlock({gate})");
        }

        var ids = new[] { await a, await b };
        var after = await t.Db.SearchUserEventsAsync(during.NextStartFromUserEventId);
        var seen = during.Events.Concat(after.Events).OfType<NewRngRecordEvent>().Select(e => e.IngestInvocationId).ToList();
        Assert.Equal(ids.Order(), seen.Order());
    }

    private static void AssertEmptyPage(long expectedCursor, UserEventPage page)
    {
        Assert.Empty(page.Events);
        Assert.Equal(expectedCursor, page.NextStartFromUserEventId);
    }

    private static object RngOf(UserEvent e)
    {
        var rng = Assert.IsType<NewRngRecordEvent>(e);
        return new { Id = rng.IngestInvocationId, rng.Pubkey, Start = rng.StartBlock };
    }

    private static (long, ulong) Decommission(UserEvent e)
    {
        var decommission = Assert.IsType<DecommissionedIngestInvocationEvent>(e);
        return (decommission.IngestInvocationId, decommission.LastIngestedBlock);
    }
}
