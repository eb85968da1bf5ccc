using Fog.Client.Balance;
using Fog.Client.View;
using Fog.Storage.Recovery;

namespace Fog.Services.Tests.View;

/// <summary>
/// The highest processed block count over gRPC in the scenarios of reference/view.md §7.1 (overlapping keys, a key
/// that starts after a gap, a lost key with a missed range, a retired key), with records written as ingest writes them.
/// </summary>
public sealed class ViewBlockCountTests
{
    private static async Task<(ulong Processed, ulong Known, FogViewResponse Response)> CountsAsync(FogViewClient client)
    {
        var response = await client.QueryAsync([], startFromUserEventId: 0);
        return (response.HighestProcessedBlockCount, response.LastKnownBlockCount, response);
    }

    private static async Task<(ulong Processed, ulong Known)> ProcessedAndKnownAsync(FogViewClient client)
    {
        var (processed, known, _) = await CountsAsync(client);
        return (processed, known);
    }

    private static async Task WriteBlocksAsync(IngestSimulator ingest, IngestSimulator.Invocation invocation, ulong from, ulong toExclusive)
    {
        for (var block = from; block < toExclusive; block++)
        {
            await ingest.AddBlockAsync(invocation, block, (null, IngestSimulator.Payment(null, block)));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task OverlappingKeys_CountWaitsForTheSlowestKey(string backend)
    {
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        var first = new IngestSimulator(db.Db);
        var second = new IngestSimulator(db.Db);
        Assert.Equal(0UL, await first.AddIngressKeyAsync(0));
        Assert.Equal(10UL, await second.AddIngressKeyAsync(10));
        var a = await first.StartInvocationAsync(0);
        var b = await second.StartInvocationAsync(10);
        await WriteBlocksAsync(first, a, 0, 5);
        await WriteBlocksAsync(second, b, 10, 15);
        await using var view = await TestViewServer.StartAsync(db);
        using var client = view.NewClient();

        await view.WaitForBlockCountAsync(5, lastKnown: 15);
        Assert.Equal((5UL, 15UL), await ProcessedAndKnownAsync(client));

        await WriteBlocksAsync(first, a, 5, 20);
        await view.WaitForBlockCountAsync(15, lastKnown: 20);
        Assert.Equal((15UL, 20UL), await ProcessedAndKnownAsync(client));

        await WriteBlocksAsync(second, b, 15, 30);
        await view.WaitForBlockCountAsync(20, lastKnown: 30);
        Assert.Equal((20UL, 30UL), await ProcessedAndKnownAsync(client));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task KeyStartingAfterAGap_CountsNothingUntilItsFirstBlocksArrive(string backend)
    {
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        var ingest = new IngestSimulator(db.Db);
        Assert.Equal(5UL, await ingest.AddIngressKeyAsync(5));
        var invocation = await ingest.StartInvocationAsync(5);
        await WriteBlocksAsync(ingest, invocation, 10, 15);
        await using var view = await TestViewServer.StartAsync(db);
        using var client = view.NewClient();
        await view.Server.CaughtUp.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal((0UL, 0UL), await ProcessedAndKnownAsync(client));

        await WriteBlocksAsync(ingest, invocation, 5, 10);
        await view.WaitForBlockCountAsync(15, lastKnown: 15);
        Assert.Equal((15UL, 15UL), await ProcessedAndKnownAsync(client));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task LostKey_StopsBlockingAtItsLastScannedBlock_AndItsRestIsAMissedRange(string backend)
    {
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        var first = new IngestSimulator(db.Db);
        Assert.Equal(0UL, await first.AddIngressKeyAsync(0));
        await db.Db.SetReportAsync(first.IngressKey, "", new ReportData(null, new byte[] { 1 }, 10));
        var a = await first.StartInvocationAsync(0);
        await WriteBlocksAsync(first, a, 0, 5);
        await using var view = await TestViewServer.StartAsync(db);
        using var client = view.NewClient();
        await view.WaitForBlockCountAsync(5, lastKnown: 5);

        Assert.Equal(new BlockRange(5, 10), await db.Db.ReportLostIngressKeyAsync(first.IngressKey));
        var second = new IngestSimulator(db.Db);
        Assert.Equal(10UL, await second.AddIngressKeyAsync(10));
        var b = await second.StartInvocationAsync(10);
        await WriteBlocksAsync(second, b, 10, 15);
        await view.WaitForBlockCountAsync(15, lastKnown: 15);
        var (processed, known, response) = await CountsAsync(client);
        Assert.Equal((15UL, 15UL), (processed, known));
        Assert.Equal([new BlockSpan(5, 10)], response.MissedBlockRanges);

        await db.Db.DecommissionIngestInvocationAsync(a.Id);
        var afterDecommission = await client.QueryAsync([], startFromUserEventId: response.NextStartFromUserEventId);
        Assert.Equal(15UL, afterDecommission.HighestProcessedBlockCount);
        Assert.Equal([new DecommissionedInvocation(a.Id, 4)], afterDecommission.Decommissioned);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RetiredKey_BlocksUntilItsExpiry_ThenTheGapBeforeTheNextKeyIsPassed(string backend)
    {
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        var first = new IngestSimulator(db.Db);
        Assert.Equal(0UL, await first.AddIngressKeyAsync(0));
        await db.Db.SetReportAsync(first.IngressKey, "", new ReportData(null, new byte[] { 1 }, 5));
        await db.Db.RetireIngressKeyAsync(first.IngressKey, true);
        var second = new IngestSimulator(db.Db);
        Assert.Equal(8UL, await second.AddIngressKeyAsync(8));
        var a = await first.StartInvocationAsync(0);
        var b = await second.StartInvocationAsync(8);
        await WriteBlocksAsync(first, a, 0, 3);
        await WriteBlocksAsync(second, b, 8, 10);
        await using var view = await TestViewServer.StartAsync(db);
        using var client = view.NewClient();

        await view.WaitForBlockCountAsync(3, lastKnown: 10);
        Assert.Equal((3UL, 10UL), await ProcessedAndKnownAsync(client));

        await WriteBlocksAsync(first, a, 3, 5);
        await view.WaitForBlockCountAsync(10, lastKnown: 10);
        Assert.Equal((10UL, 10UL), await ProcessedAndKnownAsync(client));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task BlockWhoseRecordsTheEnclaveRefuses_IsNeverCounted(string backend)
    {
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        var ingest = new IngestSimulator(db.Db);
        await ingest.AddIngressKeyAsync(0);
        var invocation = await ingest.StartInvocationAsync(0);
        await WriteBlocksAsync(ingest, invocation, 0, 2);
        // Block 2 holds a record too large for the map (a broken writer): view must not claim it.
        await db.Db.AddBlockDataAsync(invocation.Id, 2, 3, 1, [new ETxOutRecord(new byte[16].Select((_, i) => (byte)(i + 1)).ToArray(), new byte[240])]);
        await WriteBlocksAsync(ingest, invocation, 3, 5);
        var other = new IngestSimulator(db.Db);
        await other.AddIngressKeyAsync(0);
        var o = await other.StartInvocationAsync(0);
        await WriteBlocksAsync(other, o, 5, 8);
        await using var view = await TestViewServer.StartAsync(db);
        using var client = view.NewClient();

        await view.WaitForBlockCountAsync(2, lastKnown: 8);

        Assert.Equal((2UL, 8UL), await ProcessedAndKnownAsync(client));
    }
}
