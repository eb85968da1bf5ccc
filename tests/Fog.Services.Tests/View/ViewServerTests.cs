using Fog.Api.FogView;
using Fog.Client.Balance;
using Fog.Crypto.Ristretto;
using Fog.Model.Keys;
using Fog.Storage.Recovery;

namespace Fog.Services.Tests.View;

/// <summary>The view server over real gRPC and a real recovery DB, with records written as ingest writes them.</summary>
public sealed class ViewServerTests
{
    private static AccountKey Account(byte seed) => AccountKey.FromRootEntropy(Enumerable.Repeat(seed, 32).ToArray());

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ClientWithTheRightKeys_FindsExactlyItsRecords_AndAnotherClientFindsNone(string backend)
    {
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        using var alice = Account(1);
        using var bob = Account(2);
        using var carol = Account(3);
        var ingest = new IngestSimulator(db.Db);
        await ingest.AddIngressKeyAsync();
        var first = await ingest.StartInvocationAsync(0);
        var alicePaid = new List<Fog.Model.Transactions.TxOut>();
        var bobPaid = new List<Fog.Model.Transactions.TxOut>();
        for (ulong block = 0; block < 5; block++)
        {
            var toAlice = IngestSimulator.Payment(alice, 1000 + block);
            var toBob = IngestSimulator.Payment(bob, 2000 + block);
            alicePaid.Add(toAlice);
            bobPaid.Add(toBob);
            (AccountKey?, Fog.Model.Transactions.TxOut)[] payments = block % 2 == 0
                ? [(alice, toAlice), (null, IngestSimulator.Payment(null, 5)), (bob, toBob)]
                : [(bob, toBob), (alice, toAlice)];
            await ingest.AddBlockAsync(first, block, payments);
        }

        // A second invocation (a new RNG for every user) from block 5 on.
        var second = await ingest.StartInvocationAsync(5, previous: first.Id);
        for (ulong block = 5; block < 7; block++)
        {
            var toAlice = IngestSimulator.Payment(alice, 3000 + block);
            alicePaid.Add(toAlice);
            await ingest.AddBlockAsync(second, block, (alice, toAlice), (null, IngestSimulator.Payment(null, 7)));
        }

        await using var view = await TestViewServer.StartAsync(db);
        await view.WaitForBlockCountAsync(7, lastKnown: 7);
        using var client = view.NewClient();

        var aliceRecords = await ViewSearch.FindRecordsAsync(client, alice);
        var bobRecords = await ViewSearch.FindRecordsAsync(client, bob);
        var carolRecords = await ViewSearch.FindRecordsAsync(client, carol);

        Assert.Equal(alicePaid.Select(t => Convert.ToHexString(t.PublicKey)).Order(), aliceRecords.Select(r => Convert.ToHexString(r.PublicKey)).Order());
        Assert.Equal(bobPaid.Select(t => Convert.ToHexString(t.PublicKey)).Order(), bobRecords.Select(r => Convert.ToHexString(r.PublicKey)).Order());
        Assert.Empty(carolRecords);
        foreach (var record in aliceRecords)
        {
            Assert.Equal(Fog.Model.FogData.TxOutRecordError.None, record.TryRecover(alice.ViewPrivateKey, out var txOut, out var amount));
            Assert.True(txOut!.BelongsTo(alice, 0));
            Assert.Equal(1_700_000_000 + record.BlockIndex, record.Timestamp);
            Assert.InRange(amount.Value, 1000UL, 3006UL);
        }

        Assert.NotEqual(Fog.Model.FogData.TxOutRecordError.None, aliceRecords[0].TryRecover(bob.ViewPrivateKey, out _, out _));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ReferenceSmokeScenario_EventsCursorCountsAndResultCodes(string backend)
    {
        // reference/view.md §7.1 test_view_integration: 20 records [x;16] → [x;232] over blocks 0–5, a second key lost
        // at block 3 with expiry 4, the first invocation decommissioned.
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        var records = Enumerable.Range(1, 20).Select(x => new ETxOutRecord(Enumerable.Repeat((byte)x, 16).ToArray(), Enumerable.Repeat((byte)x, 232).ToArray())).ToArray();
        var key = RistrettoPrivate.Generate().PublicKey;
        Assert.Equal(0UL, await db.Db.NewIngressKeyAsync(key, 0));
        var pubkey1 = new Fog.Crypto.Kex.KexRngPubkey(Enumerable.Repeat((byte)1, 32).ToArray(), 0);
        var pubkey2 = new Fog.Crypto.Kex.KexRngPubkey(Enumerable.Repeat((byte)2, 32).ToArray(), 0);
        var invoc1 = await db.Db.NewIngestInvocationAsync(null, key, pubkey1, 0);
        await db.Db.AddBlockDataAsync(invoc1, 0, 2, 10, records[..2]);
        await db.Db.AddBlockDataAsync(invoc1, 1, 6, 11, records[2..6]);
        var invoc2 = await db.Db.NewIngestInvocationAsync(null, key, pubkey2, 2);
        await db.Db.AddBlockDataAsync(invoc2, 2, 12, 12, records[6..12]);
        var key2 = RistrettoPrivate.Generate().PublicKey;
        Assert.Equal(3UL, await db.Db.NewIngressKeyAsync(key2, 3));
        await db.Db.SetReportAsync(key2, "", new ReportData(null, new byte[] { 1 }, 4));
        await db.Db.ReportLostIngressKeyAsync(key2);
        await db.Db.AddBlockDataAsync(invoc2, 3, 12, 13, []);
        await db.Db.AddBlockDataAsync(invoc2, 4, 16, 14, records[12..16]);
        await db.Db.DecommissionIngestInvocationAsync(invoc1);
        await db.Db.AddBlockDataAsync(invoc2, 5, 20, 15, records[16..20]);

        await using var view = await TestViewServer.StartAsync(db);
        await view.WaitForBlockCountAsync(6, lastKnown: 6);
        using var client = view.NewClient();
        ReadOnlyMemory<byte>[] nonsense = [new byte[] { 50 }];

        for (var repeat = 0; repeat < 2; repeat++)
        {
            var all = await client.QueryAsync(nonsense, startFromUserEventId: 0);
            Assert.Equal(6UL, all.HighestProcessedBlockCount);
            Assert.Equal(15UL, all.HighestProcessedBlockSignatureTimestamp);
            Assert.Equal(4, all.NextStartFromUserEventId);
            Assert.Equal([pubkey1, pubkey2], all.RngRecords.OrderBy(r => r.IngestInvocationId).Select(r => r.Pubkey));
            Assert.Equal([new BlockSpan(3, 4)], all.MissedBlockRanges);
            Assert.Equal([new DecommissionedInvocation(invoc1, 1)], all.Decommissioned);
            Assert.Equal(6UL, all.LastKnownBlockCount);
            Assert.Equal(20UL, all.LastKnownBlockCumulativeTxoCount);
            Assert.Equal(TxOutSearchResultCode.BadSearchKey, Assert.Single(all.Results).Code);
        }

        var fromOne = await client.QueryAsync(nonsense, startFromUserEventId: 1);
        Assert.Equal(4, fromOne.NextStartFromUserEventId);
        var rng = Assert.Single(fromOne.RngRecords);
        Assert.Equal((pubkey2, 2UL), (rng.Pubkey, rng.StartBlock));
        Assert.Equal([new BlockSpan(3, 4)], fromOne.MissedBlockRanges);

        var fromFour = await client.QueryAsync(nonsense, startFromUserEventId: 4);
        Assert.Equal(4, fromFour.NextStartFromUserEventId);
        Assert.Empty(fromFour.RngRecords);
        Assert.Empty(fromFour.MissedBlockRanges);
        Assert.Empty(fromFour.Decommissioned);

        var beyond = await client.QueryAsync(nonsense, startFromUserEventId: 80);
        Assert.Equal(80, beyond.NextStartFromUserEventId);
        Assert.Empty(beyond.RngRecords);

        var noEvents = await client.QueryAsync(nonsense);
        Assert.Equal(long.MaxValue, noEvents.NextStartFromUserEventId);
        Assert.Equal(6UL, noEvents.HighestProcessedBlockCount);

        ReadOnlyMemory<byte>[] keys = [records[0].SearchKey, records[1].SearchKey, records[2].SearchKey, Enumerable.Repeat((byte)200, 16).ToArray(), new byte[17]];
        var found = await client.QueryAsync(keys, startFromUserEventId: 4);
        Assert.Equal(
            [TxOutSearchResultCode.Found, TxOutSearchResultCode.Found, TxOutSearchResultCode.Found, TxOutSearchResultCode.NotFound, TxOutSearchResultCode.BadSearchKey],
            found.Results.Select(r => r.Code));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(records[i].Payload.ToArray(), found.Results[i].Ciphertext);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Events_ArriveThroughTheCursorExactlyOnce(string backend)
    {
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        var ingest = new IngestSimulator(db.Db);
        await ingest.AddIngressKeyAsync();
        var first = await ingest.StartInvocationAsync(0);
        await ingest.AddBlockAsync(first, 0, (null, IngestSimulator.Payment(null, 1)));
        await using var view = await TestViewServer.StartAsync(db);
        await view.WaitForBlockCountAsync(1);
        using var client = view.NewClient();

        var seenRngs = new List<long>();
        var seenDecommissions = new List<long>();
        var seenMissed = new List<BlockSpan>();
        var cursor = 0L;
        async Task PollAsync()
        {
            var response = await client.QueryAsync([], startFromUserEventId: cursor);
            seenRngs.AddRange(response.RngRecords.Select(r => r.IngestInvocationId));
            seenDecommissions.AddRange(response.Decommissioned.Select(d => d.IngestInvocationId));
            seenMissed.AddRange(response.MissedBlockRanges);
            Assert.True(response.NextStartFromUserEventId >= cursor);
            cursor = response.NextStartFromUserEventId;
        }

        await PollAsync();
        await PollAsync();
        var second = await ingest.StartInvocationAsync(1, previous: first.Id);
        await PollAsync();
        var lost = RistrettoPrivate.Generate().PublicKey;
        Assert.Equal(1UL, await db.Db.NewIngressKeyAsync(lost, 0));
        await db.Db.SetReportAsync(lost, "lost", new ReportData(null, new byte[] { 1 }, 9));
        await db.Db.ReportLostIngressKeyAsync(lost);
        await db.Db.DecommissionIngestInvocationAsync(second.Id);
        await PollAsync();
        await PollAsync();

        Assert.Equal([first.Id, second.Id], seenRngs);
        Assert.Equal([first.Id, second.Id], seenDecommissions);
        Assert.Equal([new BlockSpan(1, 9)], seenMissed);
    }
}
