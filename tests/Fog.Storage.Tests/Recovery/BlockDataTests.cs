using Fog.Crypto.Ristretto;
using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>Ingested blocks: one blob per block per ingress key, the fencing constraint, and the reads view uses (reference/ingest.md §3, §6 item 18).</summary>
public sealed class BlockDataTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Add_block_data_stores_records_in_order_and_bumps_only_that_invocations_last_active_time(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var created = t.Clock.Now;
        var writer = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        var bystander = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        t.Clock.Advance(TimeSpan.FromSeconds(30));
        var records = TestData.Records(25, seed: 1);

        var result = await t.Db.AddBlockDataAsync(writer, 0, 25, 1_700_000_000, records);

        Assert.Equal(new AddBlockDataResult(AddBlockDataStatus.Added, writer), result);
        Assert.False(result.BlockAlreadyScannedWithThisKey);
        Assert.Equal(records, await t.Db.GetTxOutsByBlockAndKeyAsync(key, 0));
        Assert.Equal(t.Clock.Now, (await t.Db.GetIngestInvocationAsync(writer))!.LastActiveAt);
        Assert.Equal(created, (await t.Db.GetIngestInvocationAsync(bystander))!.LastActiveAt);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Re_adding_a_block_under_the_same_key_reports_already_scanned_and_changes_nothing(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var winner = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        var loser = await t.Db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        var original = TestData.Records(5, seed: 1);
        await t.Db.AddBlockDataAsync(winner, 7, 100, 1111, original);
        var winnerActive = (await t.Db.GetIngestInvocationAsync(winner))!.LastActiveAt;
        var loserActive = (await t.Db.GetIngestInvocationAsync(loser))!.LastActiveAt;
        t.Clock.Advance(TimeSpan.FromMinutes(1));

        // The same invocation again, and another invocation on the same key, each with different records and block facts.
        var again = await t.Db.AddBlockDataAsync(winner, 7, 999, 2222, TestData.Records(3, seed: 2));
        var other = await t.Db.AddBlockDataAsync(loser, 7, 999, 2222, TestData.Records(4, seed: 3));

        Assert.Equal(new AddBlockDataResult(AddBlockDataStatus.AlreadyScannedWithThisKey, winner), again);
        Assert.Equal(new AddBlockDataResult(AddBlockDataStatus.AlreadyScannedWithThisKey, winner), other);
        Assert.True(other.BlockAlreadyScannedWithThisKey);
        Assert.Equal(original, await t.Db.GetTxOutsByBlockAndKeyAsync(key, 7));
        Assert.Equal(100UL, await t.Db.GetCumulativeTxoCountForBlockAsync(7));
        Assert.Equal(1111UL, await t.Db.GetBlockSignatureTimestampForBlockAsync(7));
        Assert.Equal(winner, await t.Db.GetInvocationIdByBlockAndKeyAsync(key, 7));
        Assert.Equal(winnerActive, (await t.Db.GetIngestInvocationAsync(winner))!.LastActiveAt);
        Assert.Equal(loserActive, (await t.Db.GetIngestInvocationAsync(loser))!.LastActiveAt);
        Assert.Equal(1, await t.CountRowsAsync("ingested_blocks"));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_same_block_is_stored_once_per_ingress_key(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key1, iid1) = await KeyWithInvocationAsync(t.Db);
        var (key2, iid2) = await KeyWithInvocationAsync(t.Db);
        var records1 = TestData.Records(2, seed: 1);
        var records2 = TestData.Records(3, seed: 2);

        Assert.Equal(AddBlockDataStatus.Added, (await t.Db.AddBlockDataAsync(iid1, 4, 50, 9, records1)).Status);
        Assert.Equal(AddBlockDataStatus.Added, (await t.Db.AddBlockDataAsync(iid2, 4, 50, 9, records2)).Status);

        Assert.Equal(records1, await t.Db.GetTxOutsByBlockAndKeyAsync(key1, 4));
        Assert.Equal(records2, await t.Db.GetTxOutsByBlockAndKeyAsync(key2, 4));
        Assert.Null(await t.Db.GetTxOutsByBlockAndKeyAsync(key1, 5));
        Assert.Null(await t.Db.GetTxOutsByBlockAndKeyAsync(TestData.NewKey(), 4));
        Assert.Equal(50UL, await t.Db.GetCumulativeTxoCountForBlockAsync(4));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_decommissioned_invocation_cannot_add_blocks(string backend)
    {
        // The reference accepts blocks from a decommissioned invocation after clients were told its RNGs stopped.
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, iid) = await KeyWithInvocationAsync(t.Db);
        await t.Db.AddBlockDataAsync(iid, 0, 1, 1, TestData.Records(1, 0));
        await t.Db.DecommissionIngestInvocationAsync(iid);
        var decommissionedAt = (await t.Db.GetIngestInvocationAsync(iid))!.LastActiveAt;
        t.Clock.Advance(TimeSpan.FromSeconds(10));

        var result = await t.Db.AddBlockDataAsync(iid, 1, 2, 2, TestData.Records(1, 1));

        Assert.Equal(new AddBlockDataResult(AddBlockDataStatus.InvocationDecommissioned, null), result);
        Assert.Null(await t.Db.GetTxOutsByBlockAndKeyAsync(key, 1));
        Assert.Equal(decommissionedAt, (await t.Db.GetIngestInvocationAsync(iid))!.LastActiveAt);
        var decommission = Assert.Single((await t.Db.SearchUserEventsAsync(0)).Events.OfType<DecommissionedIngestInvocationEvent>());
        Assert.Equal(0UL, decommission.LastIngestedBlock);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Adding_a_block_for_an_unknown_invocation_is_an_error(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.AddBlockDataAsync(77, 0, 0, 0, TestData.Records(1, 0)));

        Assert.Equal(RecoveryDbError.UnknownIngestInvocation, error.Error);
        Assert.Equal(0, await t.CountRowsAsync("ingested_blocks"));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Block_range_reads_return_consecutive_blocks_and_stop_at_the_first_gap(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, iid) = await KeyWithInvocationAsync(t.Db);
        var (otherKey, otherIid) = await KeyWithInvocationAsync(t.Db);
        var stored = new Dictionary<ulong, ETxOutRecord[]>();
        foreach (var block in new ulong[] { 0, 1, 2, 3, 5, 6 })
        {
            stored[block] = TestData.Records((int)block % 3, seed: (int)block); // includes empty blocks
            await t.Db.AddBlockDataAsync(iid, block, block * 10, 500 + block, stored[block]);
        }

        await t.Db.AddBlockDataAsync(otherIid, 4, 40, 504, TestData.Records(2, 99)); // block 4 exists, but under another key

        var fromStart = await t.Db.GetTxOutsByBlockRangeAndKeyAsync(key, new BlockRange(0, 100));
        Assert.Equal([0UL, 1, 2, 3], fromStart.Select(b => b.BlockIndex));
        foreach (var block in fromStart)
        {
            Assert.Equal(stored[block.BlockIndex], block.Records);
            Assert.Equal(block.BlockIndex * 10, block.CumulativeTxoCount);
            Assert.Equal(500 + block.BlockIndex, block.SignatureTimestamp);
            Assert.Equal(iid, block.IngestInvocationId);
        }

        Assert.Equal([1UL, 2], (await t.Db.GetTxOutsByBlockRangeAndKeyAsync(key, new BlockRange(1, 3))).Select(b => b.BlockIndex));
        Assert.Empty(await t.Db.GetTxOutsByBlockRangeAndKeyAsync(key, new BlockRange(4, 100)));
        Assert.Equal([5UL, 6], (await t.Db.GetTxOutsByBlockRangeAndKeyAsync(key, new BlockRange(5, ulong.MaxValue))).Select(b => b.BlockIndex));
        Assert.Empty(await t.Db.GetTxOutsByBlockRangeAndKeyAsync(key, new BlockRange(2, 2)));
        Assert.Empty(await t.Db.GetTxOutsByBlockRangeAndKeyAsync(otherKey, new BlockRange(0, 10)));
        Assert.Equal([4UL], (await t.Db.GetTxOutsByBlockRangeAndKeyAsync(otherKey, new BlockRange(4, 10))).Select(b => b.BlockIndex));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Cumulative_txo_count_and_signature_timestamp_are_stored_per_block(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (_, iid) = await KeyWithInvocationAsync(t.Db);
        await t.Db.AddBlockDataAsync(iid, 0, 3, ulong.MaxValue, TestData.Records(3, 0)); // the origin block has no signature
        await t.Db.AddBlockDataAsync(iid, 1, 8, 1_751_976_000, TestData.Records(5, 1));

        Assert.Equal(3UL, await t.Db.GetCumulativeTxoCountForBlockAsync(0));
        Assert.Equal(8UL, await t.Db.GetCumulativeTxoCountForBlockAsync(1));
        Assert.Null(await t.Db.GetCumulativeTxoCountForBlockAsync(2));
        Assert.Equal(ulong.MaxValue, await t.Db.GetBlockSignatureTimestampForBlockAsync(0));
        Assert.Equal(1_751_976_000UL, await t.Db.GetBlockSignatureTimestampForBlockAsync(1));
        Assert.Null(await t.Db.GetBlockSignatureTimestampForBlockAsync(2));
        Assert.Null(await t.Db.GetBlockSignatureTimestampForBlockAsync(ulong.MaxValue));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Disagreeing_cumulative_txo_counts_for_one_block_are_reported_as_inconsistent(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (_, iid1) = await KeyWithInvocationAsync(t.Db);
        var (_, iid2) = await KeyWithInvocationAsync(t.Db);
        await t.Db.AddBlockDataAsync(iid1, 3, 30, 0, TestData.Records(1, 0));
        await t.Db.AddBlockDataAsync(iid2, 3, 31, 0, TestData.Records(1, 1));

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.GetCumulativeTxoCountForBlockAsync(3));

        Assert.Equal(RecoveryDbError.InconsistentData, error.Error);
        Assert.False(error.IsTransient);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Highest_known_and_last_scanned_blocks_follow_the_stored_blocks(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key1, iid1) = await KeyWithInvocationAsync(t.Db);
        var (key2, iid2) = await KeyWithInvocationAsync(t.Db);
        Assert.Null(await t.Db.GetHighestKnownBlockIndexAsync());

        await t.Db.AddBlockDataAsync(iid1, 0, 0, 0, []);
        await t.Db.AddBlockDataAsync(iid1, 1, 0, 0, []);
        await t.Db.AddBlockDataAsync(iid2, 9, 0, 0, []);

        Assert.Equal(9UL, await t.Db.GetHighestKnownBlockIndexAsync());
        Assert.Equal(1UL, await t.Db.GetLastScannedBlockIndexAsync(key1));
        Assert.Equal(9UL, await t.Db.GetLastScannedBlockIndexAsync(key2));
        Assert.Equal(iid2, await t.Db.GetInvocationIdByBlockAndKeyAsync(key2, 9));
        Assert.Null(await t.Db.GetInvocationIdByBlockAndKeyAsync(key1, 9));
        Assert.Empty(Assert.Single(await t.Db.GetTxOutsByBlockRangeAndKeyAsync(key2, new BlockRange(9, 10))).Records);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Block_indices_and_counts_above_long_max_are_rejected_before_anything_is_written(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (_, iid) = await KeyWithInvocationAsync(t.Db);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => t.Db.AddBlockDataAsync(iid, (ulong)long.MaxValue + 1, 0, 0, []));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => t.Db.AddBlockDataAsync(iid, 0, ulong.MaxValue, 0, []));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => t.Db.NewIngressKeyAsync(TestData.NewKey(), ulong.MaxValue));

        Assert.Equal(0, await t.CountRowsAsync("ingested_blocks"));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_block_whose_stored_records_cannot_be_decoded_is_reported_as_corrupt(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var (key, iid) = await KeyWithInvocationAsync(t.Db);
        await t.Db.AddBlockDataAsync(iid, 0, 1, 1, TestData.Records(1, 0));
        await t.ExecuteRawAsync(t.IsPostgres
            ? "UPDATE ingested_blocks SET proto_ingested_block_data = '\\x0a05ff'::bytea"
            : "UPDATE ingested_blocks SET proto_ingested_block_data = x'0a05ff'");

        var single = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.GetTxOutsByBlockAndKeyAsync(key, 0));
        var range = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Db.GetTxOutsByBlockRangeAndKeyAsync(key, new BlockRange(0, 10)));

        Assert.Equal(RecoveryDbError.CorruptData, single.Error);
        Assert.Equal(RecoveryDbError.CorruptData, range.Error);
        Assert.False(single.IsTransient);
    }

    internal static async Task<(RistrettoPublic Key, long Invocation)> KeyWithInvocationAsync(IRecoveryDb db, ulong start = 0)
    {
        var key = TestData.NewKey();
        var accepted = await db.NewIngressKeyAsync(key, start);
        return (key, await db.NewIngestInvocationAsync(null, key, TestData.NewEgress(), accepted));
    }
}
