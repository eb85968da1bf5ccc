using Fog.Crypto.Ristretto;
using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>Ingress keys: start blocks, retire, status, and the record filters (reference/ingest.md §2.4, §6 items 14, 21, 22).</summary>
public sealed class IngressKeyTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task New_key_starts_at_the_proposed_block_when_no_block_is_known(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();

        Assert.Equal(123UL, await t.Db.NewIngressKeyAsync(key, 123));

        Assert.Equal(new IngressPublicKeyStatus(123, 0, Retired: false, Lost: false), await t.Db.GetIngressKeyStatusAsync(key));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task New_key_starts_at_the_larger_of_the_proposed_block_and_the_highest_known_block_plus_one(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var first = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(first, 0);
        var iid = await t.Db.NewIngestInvocationAsync(null, first, TestData.NewEgress(), 0);
        for (ulong block = 0; block < 10; block++)
        {
            await t.Db.AddBlockDataAsync(iid, block, block * 3, 1000 + block, TestData.Records(3, (int)block));
        }

        // Highest known block is 9: a proposal below 10 is raised to 10, a proposal above it is kept.
        var behind = TestData.NewKey();
        var ahead = TestData.NewKey();
        Assert.Equal(10UL, await t.Db.NewIngressKeyAsync(behind, 4));
        Assert.Equal(25UL, await t.Db.NewIngressKeyAsync(ahead, 25));
        Assert.Equal(10UL, (await t.Db.GetIngressKeyStatusAsync(behind))!.StartBlock);
        Assert.Equal(25UL, (await t.Db.GetIngressKeyStatusAsync(ahead))!.StartBlock);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Re_inserting_an_existing_key_fails_and_changes_nothing(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 5);

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.NewIngressKeyAsync(key, 50));

        Assert.Equal(RecoveryDbError.IngressKeyAlreadyExists, error.Error);
        Assert.False(error.IsTransient);
        Assert.Equal(5UL, (await t.Db.GetIngressKeyStatusAsync(key))!.StartBlock);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Status_of_an_unknown_key_is_null(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);

        Assert.Null(await t.Db.GetIngressKeyStatusAsync(TestData.NewKey()));
        Assert.Null(await t.Db.GetLastScannedBlockIndexAsync(TestData.NewKey()));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Retire_and_unretire_set_the_retired_flag(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);

        await t.Db.RetireIngressKeyAsync(key, true);
        Assert.True((await t.Db.GetIngressKeyStatusAsync(key))!.Retired);

        await t.Db.RetireIngressKeyAsync(key, false);
        Assert.False((await t.Db.GetIngressKeyStatusAsync(key))!.Retired);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Retiring_an_unknown_key_is_an_error(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.RetireIngressKeyAsync(TestData.NewKey(), true));

        Assert.Equal(RecoveryDbError.MissingIngressKey, error.Error);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Key_records_list_active_keys_by_default_and_add_lost_and_retired_ones_on_request(string backend)
    {
        // reference/ingest.md §6 item 14: keys starting at 123 (retired), 456 (lost) and 789 (active).
        await using var t = await TestDatabase.CreateAsync(backend);
        var retired = TestData.NewKey();
        var lost = TestData.NewKey();
        var active = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(retired, 123);
        await t.Db.NewIngressKeyAsync(lost, 456);
        await t.Db.NewIngressKeyAsync(active, 789);
        await t.Db.RetireIngressKeyAsync(retired, true);
        await t.Db.ReportLostIngressKeyAsync(lost);

        Assert.Equal([active], await KeysAsync(t.Db, 0, IngressKeyFilters.Active));
        Assert.Equal([lost, active], await KeysAsync(t.Db, 0, new IngressKeyFilters(IncludeLost: true, IncludeRetired: false, OnlyUnexpired: false)));
        Assert.Equal([retired, active], await KeysAsync(t.Db, 0, new IngressKeyFilters(IncludeLost: false, IncludeRetired: true, OnlyUnexpired: false)));
        Assert.Equal([retired, lost, active], await KeysAsync(t.Db, 0, IngressKeyFilters.All));
        Assert.Equal([lost, active], await KeysAsync(t.Db, 200, IngressKeyFilters.All));
        Assert.Equal([active], await KeysAsync(t.Db, 789, IngressKeyFilters.All));
        Assert.Empty(await KeysAsync(t.Db, 790, IngressKeyFilters.All));
        Assert.Empty(await KeysAsync(t.Db, ulong.MaxValue, IngressKeyFilters.All));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Key_record_filters_match_their_definitions_for_every_combination(string backend)
    {
        // reference/ingest.md §6 item 22. "Unexpired" means: last scanned exists and is below the pubkey expiry.
        await using var t = await TestDatabase.CreateAsync(backend);
        var db = t.Db;
        var kinds = new Dictionary<string, RistrettoPublic>();

        async Task<RistrettoPublic> KeyAsync(string name, ulong start, ulong expiry, int blocksScanned, bool retired, bool lost)
        {
            var key = TestData.NewKey();
            kinds[name] = key;
            var accepted = await db.NewIngressKeyAsync(key, start);
            if (expiry > 0)
            {
                await db.SetReportAsync(key, name, new ReportData(null, new byte[] { 1, 2, 3 }, expiry));
            }

            var iid = await db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), accepted);
            for (var i = 0; i < blocksScanned; i++)
            {
                Assert.Equal(AddBlockDataStatus.Added, (await db.AddBlockDataAsync(iid, accepted + (ulong)i, 0, 0, TestData.Records(1, i))).Status);
            }

            if (retired)
            {
                await db.RetireIngressKeyAsync(key, true);
            }

            if (lost)
            {
                await db.ReportLostIngressKeyAsync(key);
            }

            return key;
        }

        // Each key scans blocks of its own, above every earlier key's, so start blocks are what we ask for.
        await KeyAsync("active-unexpired", 0, 100, 3, retired: false, lost: false);
        await KeyAsync("active-never-scanned", 1000, 1100, 0, retired: false, lost: false);
        await KeyAsync("active-expired", 2000, 2002, 3, retired: false, lost: false); // scanned 2000..2002: last = expiry
        await KeyAsync("retired-unexpired", 3000, 3100, 2, retired: true, lost: false);
        await KeyAsync("retired-expired", 4000, 4001, 2, retired: true, lost: false); // last 4001 = expiry
        await KeyAsync("lost-unexpired", 5000, 5100, 2, retired: false, lost: true);
        await KeyAsync("lost-retired-unexpired", 6000, 6100, 1, retired: true, lost: true);

        var all = await db.GetIngressKeyRecordsAsync(0, IngressKeyFilters.All);
        Assert.Equal(kinds.Count, all.Count);
        foreach (var includeLost in new[] { false, true })
        {
            foreach (var includeRetired in new[] { false, true })
            {
                foreach (var onlyUnexpired in new[] { false, true })
                {
                    var filters = new IngressKeyFilters(includeLost, includeRetired, onlyUnexpired);
                    var expected = all
                        .Where(r => includeLost || !r.Status.Lost)
                        .Where(r => includeRetired || !r.Status.Retired)
                        .Where(r => !onlyUnexpired || (r.LastScannedBlock is { } last && last < r.Status.PubkeyExpiry))
                        .Select(r => r.Key)
                        .ToList();
                    Assert.Equal(expected, await KeysAsync(db, 0, filters));
                }
            }
        }

        // Spot checks of the definitions themselves, so the expectation above cannot drift with the code.
        var names = kinds.ToDictionary(kv => kv.Value, kv => kv.Key);
        Assert.Equal(
            ["active-unexpired"],
            (await db.GetIngressKeyRecordsAsync(0, new IngressKeyFilters(false, false, true))).Select(r => names[r.Key]));
        Assert.Equal(
            ["active-unexpired", "retired-unexpired", "lost-unexpired", "lost-retired-unexpired"],
            (await db.GetIngressKeyRecordsAsync(0, new IngressKeyFilters(true, true, true))).Select(r => names[r.Key]));
        var records = all.ToDictionary(r => names[r.Key]);
        Assert.Equal(new IngressPublicKeyStatus(0, 100, false, false), records["active-unexpired"].Status);
        Assert.Equal(2UL, records["active-unexpired"].LastScannedBlock);
        Assert.Null(records["active-never-scanned"].LastScannedBlock);
        Assert.Equal(2002UL, records["active-expired"].LastScannedBlock);
        Assert.True(records["lost-retired-unexpired"].Status is { Lost: true, Retired: true });
    }

    private static async Task<List<RistrettoPublic>> KeysAsync(IRecoveryDb db, ulong startBlockAtLeast, IngressKeyFilters filters) =>
        (await db.GetIngressKeyRecordsAsync(startBlockAtLeast, filters)).Select(r => r.Key).ToList();
}
