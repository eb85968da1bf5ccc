using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>Fog reports and the pubkey expiry they publish (reference/ingest.md §2.2, §3.2 ReportDb).</summary>
public sealed class ReportTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Set_report_publishes_the_report_and_raises_the_key_expiry(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, iid) = await BlockDataTests.KeyWithInvocationAsync(t.Db, start: 3);
        var data = new ReportData(iid, new byte[] { 1, 2, 3, 4 }, 13);

        var status = await t.Db.SetReportAsync(key, "", data);

        Assert.Equal(new IngressPublicKeyStatus(3, 13, false, false), status);
        Assert.Equal(status, await t.Db.GetIngressKeyStatusAsync(key));
        Assert.Equal([new ReportEntry("", data)], await t.Db.GetAllReportsAsync());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Set_report_with_the_same_id_replaces_the_report_but_never_lowers_the_key_expiry(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, iid) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        await t.Db.SetReportAsync(key, "", new ReportData(null, new byte[] { 1 }, 20));

        var lower = new ReportData(iid, new byte[] { 2, 2 }, 15);
        var status = await t.Db.SetReportAsync(key, "", lower);

        Assert.Equal(20UL, status.PubkeyExpiry);
        Assert.Equal(20UL, (await t.Db.GetIngressKeyStatusAsync(key))!.PubkeyExpiry);
        Assert.Equal([new ReportEntry("", lower)], await t.Db.GetAllReportsAsync());

        // Another key may take over the same report id (a new ingest key after rotation).
        var (other, _) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        var replacement = new ReportData(null, new byte[] { 3 }, 30);
        await t.Db.SetReportAsync(other, "", replacement);
        Assert.Equal([new ReportEntry("", replacement)], await t.Db.GetAllReportsAsync());
        Assert.Equal(30UL, (await t.Db.GetIngressKeyStatusAsync(other))!.PubkeyExpiry);
        Assert.Equal(20UL, (await t.Db.GetIngressKeyStatusAsync(key))!.PubkeyExpiry);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Reports_are_listed_in_the_order_first_stored(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, _) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        foreach (var id in new[] { "b", "a", "c" })
        {
            await t.Db.SetReportAsync(key, id, new ReportData(null, new byte[] { (byte)id[0] }, 5));
        }

        await t.Db.SetReportAsync(key, "b", new ReportData(null, new byte[] { 0xBB }, 6));

        Assert.Equal(["b", "a", "c"], (await t.Db.GetAllReportsAsync()).Select(r => r.FogReportId));
        Assert.Equal(new byte[] { 0xBB }, (await t.Db.GetAllReportsAsync())[0].Data.Report.ToArray());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_retired_key_gets_no_report_and_no_new_expiry(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, _) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        await t.Db.SetReportAsync(key, "", new ReportData(null, new byte[] { 1 }, 10));
        await t.Db.RetireIngressKeyAsync(key, true);

        var status = await t.Db.SetReportAsync(key, "", new ReportData(null, new byte[] { 2 }, 50));

        Assert.Equal(new IngressPublicKeyStatus(0, 10, Retired: true, Lost: false), status);
        Assert.Equal(new byte[] { 1 }, Assert.Single(await t.Db.GetAllReportsAsync()).Data.Report.ToArray());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_lost_key_gets_no_report_and_no_new_expiry(string backend)
    {
        // The reference only checks "retired": a lost key's expiry could grow past the missed range already
        // announced, and senders would pay to a key nobody scans, in blocks never reported missing.
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, _) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        await t.Db.SetReportAsync(key, "", new ReportData(null, new byte[] { 1 }, 10));
        await t.Db.ReportLostIngressKeyAsync(key);

        var status = await t.Db.SetReportAsync(key, "", new ReportData(null, new byte[] { 2 }, 50));

        Assert.Equal(new IngressPublicKeyStatus(0, 10, Retired: false, Lost: true), status);
        Assert.Equal(new byte[] { 1 }, Assert.Single(await t.Db.GetAllReportsAsync()).Data.Report.ToArray());
        Assert.Equal([new BlockRange(0, 10)], await t.Db.GetMissedBlockRangesAsync());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Set_report_for_an_unknown_key_or_invocation_is_an_error(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, iid) = await BlockDataTests.KeyWithInvocationAsync(t.Db);

        var missingKey = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.SetReportAsync(TestData.NewKey(), "", new ReportData(null, new byte[] { 1 }, 10)));
        var missingInvocation = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.SetReportAsync(key, "", new ReportData(iid + 50, new byte[] { 1 }, 10)));

        Assert.Equal(RecoveryDbError.MissingIngressKey, missingKey.Error);
        Assert.Equal(RecoveryDbError.UnknownIngestInvocation, missingInvocation.Error);
        Assert.Empty(await t.Db.GetAllReportsAsync());
        Assert.Equal(0UL, (await t.Db.GetIngressKeyStatusAsync(key))!.PubkeyExpiry);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Remove_report_deletes_only_that_report(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, _) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        await t.Db.SetReportAsync(key, "keep", new ReportData(null, new byte[] { 1 }, 10));
        await t.Db.SetReportAsync(key, "drop", new ReportData(null, new byte[] { 2 }, 10));

        Assert.True(await t.Db.RemoveReportAsync("drop"));
        Assert.False(await t.Db.RemoveReportAsync("drop"));

        Assert.Equal(["keep"], (await t.Db.GetAllReportsAsync()).Select(r => r.FogReportId));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Report_ids_of_up_to_64_characters_are_accepted_and_longer_ones_rejected(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, _) = await BlockDataTests.KeyWithInvocationAsync(t.Db);
        var longest = string.Concat(Enumerable.Repeat("é", 64));

        await t.Db.SetReportAsync(key, longest, new ReportData(null, new byte[] { 1 }, 10));
        await Assert.ThrowsAsync<ArgumentException>(() => t.Db.SetReportAsync(key, longest + "x", new ReportData(null, new byte[] { 1 }, 10)));

        Assert.Equal([longest], (await t.Db.GetAllReportsAsync()).Select(r => r.FogReportId));
    }
}
