using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>Fencing between ingest servers that share an ingress key (reference/ingest.md §6 item 13; DESIGN §7.5).</summary>
public sealed class ConcurrencyTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Two_writers_racing_for_the_same_block_under_the_same_key_exactly_one_wins(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var serverA = await t.OpenAnotherAsync("race-a");
        var serverB = await t.OpenAnotherAsync("race-b");
        var iidA = await serverA.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        var iidB = await serverB.NewIngestInvocationAsync(null, key, TestData.NewEgress(), 0);
        var wins = new Dictionary<long, int> { [iidA] = 0, [iidB] = 0 };

        for (ulong block = 0; block < 20; block++)
        {
            var recordsA = TestData.Records(12, seed: (int)(2 * block));
            var recordsB = TestData.Records(7, seed: (int)((2 * block) + 1));
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writeA = Task.Run(async () => { await start.Task; return await serverA.AddBlockDataAsync(iidA, block, block * 19, block, recordsA); });
            var writeB = Task.Run(async () => { await start.Task; return await serverB.AddBlockDataAsync(iidB, block, block * 19, block, recordsB); });
            start.SetResult();
            var results = await Task.WhenAll(writeA, writeB);

            var winner = Assert.Single(results, r => r.Status == AddBlockDataStatus.Added);
            var loser = Assert.Single(results, r => r.Status == AddBlockDataStatus.AlreadyScannedWithThisKey);
            Assert.Equal(winner.ScannedByInvocationId, loser.ScannedByInvocationId);
            var winnerId = winner.ScannedByInvocationId!.Value;
            wins[winnerId]++;
            Assert.Equal(winnerId == iidA ? recordsA : recordsB, await t.Db.GetTxOutsByBlockAndKeyAsync(key, block));
            Assert.Equal(winnerId, await t.Db.GetInvocationIdByBlockAndKeyAsync(key, block));
        }

        Assert.Equal(20, await t.CountRowsAsync("ingested_blocks"));
        Assert.Equal(20, wins.Values.Sum());
        Assert.Equal(20, (await t.Db.GetTxOutsByBlockRangeAndKeyAsync(key, new BlockRange(0, 100))).Count);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_decommission_racing_a_block_write_either_precedes_it_or_follows_it(string backend)
    {
        // Either the block is stored and the decommission event then reports it, or the write is refused:
        // no block ever lands after the event that told clients the invocation stopped.
        await using var t = await TestDatabase.CreateAsync(backend);
        var key = TestData.NewKey();
        await t.Db.NewIngressKeyAsync(key, 0);
        var writer = await t.OpenAnotherAsync("writer");
        var admin = await t.OpenAnotherAsync("admin");

        for (var round = 0; round < 10; round++)
        {
            var iid = await writer.NewIngestInvocationAsync(null, key, TestData.NewEgress(), (ulong)round);
            var block = (ulong)round;
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var write = Task.Run(async () => { await start.Task; return await writer.AddBlockDataAsync(iid, block, block, block, TestData.Records(3, round)); });
            var decommission = Task.Run(async () => { await start.Task; return await admin.DecommissionIngestInvocationAsync(iid); });
            start.SetResult();
            var result = await write;
            Assert.True(await decommission);

            var stored = await t.Db.GetInvocationIdByBlockAndKeyAsync(key, block);
            if (result.Status == AddBlockDataStatus.Added)
            {
                Assert.Equal(iid, stored);
            }
            else
            {
                Assert.Equal(AddBlockDataStatus.InvocationDecommissioned, result.Status);
                Assert.Null(stored);
            }

            var range = Assert.Single(await t.Db.GetIngestableRangesAsync(), r => r.Id == iid);
            Assert.True(range.Decommissioned);
            Assert.Equal(stored is null ? null : block, range.LastIngestedBlock);
        }
    }
}
