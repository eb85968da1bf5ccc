using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>Lost keys and missed block ranges (reference/ingest.md §2.5, §6 item 20).</summary>
public sealed class MissedBlockTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Losing_a_key_that_was_never_published_creates_no_missed_range(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 10);

        Assert.Null(await t.Db.ReportLostIngressKeyAsync(key));

        Assert.True((await t.Db.GetIngressKeyStatusAsync(key))!.Lost);
        Assert.Empty(await t.Db.GetMissedBlockRangesAsync());
        Assert.Empty((await t.Db.SearchUserEventsAsync(0)).Events);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Overlapping_ranges_from_two_lost_keys_are_both_reported(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var first = await PublishedKeyAsync(t.Db, 10, 20);
        var second = await PublishedKeyAsync(t.Db, 15, 25);

        Assert.Equal(new BlockRange(10, 20), await t.Db.ReportLostIngressKeyAsync(first));
        Assert.Equal(new BlockRange(15, 25), await t.Db.ReportLostIngressKeyAsync(second));

        Assert.Equal([new BlockRange(10, 20), new BlockRange(15, 25)], await t.Db.GetMissedBlockRangesAsync());
        Assert.Equal(
            [new BlockRange(10, 20), new BlockRange(15, 25)],
            (await t.Db.SearchUserEventsAsync(0)).Events.OfType<MissingBlocksEvent>().Select(e => e.Range));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_lost_key_that_scanned_some_blocks_misses_only_the_rest_up_to_its_expiry(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = await PublishedKeyAsync(t.Db, 0, 12);
        var iid = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        for (ulong block = 0; block < 5; block++)
        {
            await t.Db.AddBlockDataAsync(iid, block, block, block, TestData.Records(1, (int)block));
        }

        Assert.Equal(new BlockRange(5, 12), await t.Db.ReportLostIngressKeyAsync(key));

        Assert.Equal([new BlockRange(5, 12)], await t.Db.GetMissedBlockRangesAsync());
        var record = Assert.Single(await t.Db.GetIngressKeyRecordsAsync(0, IngressKeyFilters.All));
        Assert.Equal(new BlockRange(0, 5), record.BlockRange); // view stops waiting for this key after block 4
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_lost_key_that_scanned_up_to_its_expiry_misses_nothing(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = await PublishedKeyAsync(t.Db, 0, 3);
        var iid = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        for (ulong block = 0; block < 3; block++)
        {
            await t.Db.AddBlockDataAsync(iid, block, block, block, []);
        }

        Assert.Null(await t.Db.ReportLostIngressKeyAsync(key));

        Assert.True((await t.Db.GetIngressKeyStatusAsync(key))!.Lost);
        Assert.Empty(await t.Db.GetMissedBlockRangesAsync());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Reporting_a_lost_key_again_changes_nothing(string backend)
    {
        // The reference inserts the same range again and fails on the unique constraint.
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = await PublishedKeyAsync(t.Db, 0, 10);
        await t.Db.ReportLostIngressKeyAsync(key);

        Assert.Null(await t.Db.ReportLostIngressKeyAsync(key));

        Assert.Equal([new BlockRange(0, 10)], await t.Db.GetMissedBlockRangesAsync());
        Assert.Single((await t.Db.SearchUserEventsAsync(0)).Events);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Two_lost_keys_with_the_same_range_are_both_lost_and_the_range_is_announced_once(string backend)
    {
        // The reference's UNIQUE(start, end) on missed ranges makes the second report fail, rolling back the
        // "lost" flag too: the second key would stay "not lost" and keep blocking view.
        await using var t = await TestDatabase.CreateAsync(backend);
        var first = await PublishedKeyAsync(t.Db, 40, 50);
        var second = await PublishedKeyAsync(t.Db, 40, 50);

        Assert.Equal(new BlockRange(40, 50), await t.Db.ReportLostIngressKeyAsync(first));
        Assert.Equal(new BlockRange(40, 50), await t.Db.ReportLostIngressKeyAsync(second));

        Assert.True((await t.Db.GetIngressKeyStatusAsync(first))!.Lost);
        Assert.True((await t.Db.GetIngressKeyStatusAsync(second))!.Lost);
        Assert.Equal([new BlockRange(40, 50)], await t.Db.GetMissedBlockRangesAsync());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Reporting_an_unknown_key_lost_is_an_error(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.ReportLostIngressKeyAsync(TestData.NewKey()));

        Assert.Equal(RecoveryDbError.MissingIngressKey, error.Error);
    }

    /// <summary>A key starting at <paramref name="start"/> whose report promised it up to <paramref name="expiry"/>.</summary>
    private static async Task<Fog.Crypto.Ristretto.RistrettoPublic> PublishedKeyAsync(IRecoveryDb db, ulong start, ulong expiry)
    {
        var key = TestData.NewKey();
        Assert.Equal(start, await db.NewIngressKeyAsync(key, start));
        await db.SetReportAsync(key, Guid.NewGuid().ToString("N"), new ReportData(null, new byte[] { 1 }, expiry));
        return key;
    }
}
