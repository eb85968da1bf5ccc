using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>Ingest invocations (reference/ingest.md §2.3, §6 items 16 and 17).</summary>
public sealed class IngestInvocationTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task New_invocations_get_distinct_ids_and_store_key_egress_version_and_start_block(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key1 = TestData.NewKey();
        var key2 = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key1, 0);
        await t.Db.NewIngressKeyAsync(key2, 0);
        var egress1 = TestData.NewEgress();
        var egress2 = TestData.NewEgress(version: 0);
        var egress3 = TestData.NewEgress(version: 7);

        var id1 = await t.Db.NewIngestInvocationAsync(null, key1, egress1, 0);
        var id2 = await t.Db.NewIngestInvocationAsync(null, key1, egress2, 10);
        var id3 = await t.Db.NewIngestInvocationAsync(null, key2, egress3, 20);

        Assert.Equal(3, new[] { id1, id2, id3 }.Distinct().Count());
        Assert.Equal(new IngestInvocation(id1, key1, egress1, 0, Decommissioned: false, t.Clock.Now), await t.Db.GetIngestInvocationAsync(id1));
        Assert.Equal(new IngestInvocation(id2, key1, egress2, 10, Decommissioned: false, t.Clock.Now), await t.Db.GetIngestInvocationAsync(id2));
        Assert.Equal(new IngestInvocation(id3, key2, egress3, 20, Decommissioned: false, t.Clock.Now), await t.Db.GetIngestInvocationAsync(id3));
        Assert.Null(await t.Db.GetIngestInvocationAsync(id3 + 1000));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Decommissioning_flips_the_flag_and_emits_exactly_one_event(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var id = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        var other = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        var cursor = (await t.Db.SearchUserEventsAsync(0)).NextStartFromUserEventId;
        t.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.True(await t.Db.DecommissionIngestInvocationAsync(id));

        var invocation = (await t.Db.GetIngestInvocationAsync(id))!;
        Assert.True(invocation.Decommissioned);
        Assert.Equal(t.Clock.Now, invocation.LastActiveAt);
        Assert.False((await t.Db.GetIngestInvocationAsync(other))!.Decommissioned);
        var events = (await t.Db.SearchUserEventsAsync(cursor)).Events;
        var decommission = Assert.IsType<DecommissionedIngestInvocationEvent>(Assert.Single(events));
        Assert.Equal(id, decommission.IngestInvocationId);
        Assert.Equal(0UL, decommission.LastIngestedBlock);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Decommissioning_an_already_decommissioned_invocation_changes_nothing(string backend)
    {
        // The reference fails here on the unique event constraint (its cleanup tool logs errors for it);
        // a second decommission is harmless, reported as false, and emits no second event.
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var id = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        Assert.True(await t.Db.DecommissionIngestInvocationAsync(id));
        var decommissionedAt = t.Clock.Now;
        t.Clock.Advance(TimeSpan.FromHours(1));

        Assert.False(await t.Db.DecommissionIngestInvocationAsync(id));

        Assert.Equal(decommissionedAt, (await t.Db.GetIngestInvocationAsync(id))!.LastActiveAt);
        Assert.Single((await t.Db.SearchUserEventsAsync(0)).Events.OfType<DecommissionedIngestInvocationEvent>());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Decommissioning_an_unknown_invocation_is_an_error(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.DecommissionIngestInvocationAsync(42));

        Assert.Equal(RecoveryDbError.UnknownIngestInvocation, error.Error);
        Assert.False(error.IsTransient);
        Assert.Empty((await t.Db.SearchUserEventsAsync(0)).Events);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_new_invocation_with_a_previous_one_decommissions_it_in_the_same_transaction(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var first = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);

        var second = await t.Db.NewIngestInvocationAsync(first, key, TestData.NewEgress(), 5);

        Assert.True((await t.Db.GetIngestInvocationAsync(first))!.Decommissioned);
        Assert.False((await t.Db.GetIngestInvocationAsync(second))!.Decommissioned);
        var events = (await t.Db.SearchUserEventsAsync(0)).Events;
        Assert.Collection(
            events,
            e => Assert.Equal(first, Assert.IsType<NewRngRecordEvent>(e).IngestInvocationId),
            e => Assert.Equal(first, Assert.IsType<DecommissionedIngestInvocationEvent>(e).IngestInvocationId),
            e => Assert.Equal(second, Assert.IsType<NewRngRecordEvent>(e).IngestInvocationId));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_failed_new_invocation_leaves_the_previous_one_active(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var egress = TestData.NewEgress();
        var first = await t.Db.NewIngestInvocationAsync(null, key, egress, 0);

        // Unknown ingress key, then a reused egress key: both fail after the previous invocation was decommissioned inside the transaction.
        var missingKey = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.NewIngestInvocationAsync(first, TestData.NewKey(), TestData.NewEgress(), 0));
        var reusedEgress = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.NewIngestInvocationAsync(first, key, egress, 0));

        Assert.Equal(RecoveryDbError.MissingIngressKey, missingKey.Error);
        Assert.Equal(RecoveryDbError.EgressKeyAlreadyUsed, reusedEgress.Error);
        Assert.False((await t.Db.GetIngestInvocationAsync(first))!.Decommissioned);
        Assert.Single((await t.Db.SearchUserEventsAsync(0)).Events);
        Assert.Single(await t.Db.GetIngestableRangesAsync());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_new_invocation_naming_an_unknown_previous_one_fails(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.NewIngestInvocationAsync(999, key, TestData.NewEgress(), 0));

        Assert.Equal(RecoveryDbError.UnknownIngestInvocation, error.Error);
        Assert.Empty(await t.Db.GetIngestableRangesAsync());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Update_last_active_at_moves_only_that_invocation(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var created = t.Clock.Now;
        var id = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        var other = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        t.Clock.Advance(TimeSpan.FromSeconds(90));

        await t.Db.UpdateLastActiveAtAsync(id);

        Assert.Equal(t.Clock.Now, (await t.Db.GetIngestInvocationAsync(id))!.LastActiveAt);
        Assert.Equal(created, (await t.Db.GetIngestInvocationAsync(other))!.LastActiveAt);
        Assert.Equal(
            RecoveryDbError.UnknownIngestInvocation,
            (await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.UpdateLastActiveAtAsync(other + 100))).Error);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Expired_invocations_are_those_inactive_since_before_the_cutoff_and_not_yet_decommissioned(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var oldEgress = TestData.NewEgress();
        var old = await t.Db.NewIngestInvocationAsync(null, key, oldEgress, 0);
        var oldAt = t.Clock.Now;
        var oldDecommissioned = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        await t.Db.DecommissionIngestInvocationAsync(oldDecommissioned);
        t.Clock.Advance(TimeSpan.FromDays(3));
        var cutoff = t.Clock.Now;
        var recent = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);

        var expired = await t.Db.GetExpiredInvocationsAsync(cutoff);

        Assert.Equal([new ExpiredInvocation(old, oldEgress, oldAt)], expired);
        Assert.Empty(await t.Db.GetExpiredInvocationsAsync(oldAt));
        Assert.Equal([old, recent], (await t.Db.GetExpiredInvocationsAsync(cutoff.AddSeconds(1))).Select(e => e.Id));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Ingestable_ranges_list_every_invocation_with_the_last_block_it_stored(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var first = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        await t.Db.AddBlockDataAsync(first, 0, 1, 1, TestData.Records(1, 0));
        await t.Db.AddBlockDataAsync(first, 1, 2, 2, TestData.Records(1, 1));
        var second = await t.Db.NewIngestInvocationAsync(first, key, TestData.NewEgress(), 2);

        Assert.Equal(
            [new IngestableRange(first, 0, Decommissioned: true, LastIngestedBlock: 1), new IngestableRange(second, 2, Decommissioned: false, LastIngestedBlock: null)],
            await t.Db.GetIngestableRangesAsync());
    }
}
