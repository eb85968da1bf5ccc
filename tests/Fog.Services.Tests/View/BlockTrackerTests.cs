using Fog.Crypto.Ristretto;
using Fog.Services.View;
using Fog.Storage.Recovery;

namespace Fog.Services.Tests.View;

/// <summary>The highest-processed-block rules (reference/view.md §4.2–4.3, the scenarios of block_tracker.rs).</summary>
public sealed class BlockTrackerTests
{
    private static IngressPublicKeyRecord Key(ulong start, ulong expiry = 0, bool retired = false, bool lost = false, ulong? lastScanned = null) =>
        new(RistrettoPrivate.Generate().PublicKey, new IngressPublicKeyStatus(start, expiry, retired, lost), lastScanned);

    private static IngressPublicKeyRecord With(IngressPublicKeyRecord record, bool? retired = null, bool? lost = null, ulong? lastScanned = null) =>
        record with { Status = record.Status with { Retired = retired ?? record.Status.Retired, Lost = lost ?? record.Status.Lost }, LastScannedBlock = lastScanned ?? record.LastScannedBlock };

    private static void Load(BlockTracker tracker, IngressPublicKeyRecord key, ulong from, ulong toExclusive)
    {
        for (var block = from; block < toExclusive; block++)
        {
            Assert.Equal(block, tracker.NextBlock(key));
            tracker.BlockProcessed(key.Key, block);
        }
    }

    [Fact]
    public void NoKeys_NothingToLoad_CountZero()
    {
        var tracker = new BlockTracker();

        Assert.Equal((0UL, (IngressPublicKeyRecord?)null), tracker.HighestFullyProcessedBlockCount([]));
        Assert.Equal(0UL, tracker.HighestKnownBlockCount);
    }

    [Fact]
    public void NextBlock_StartsAtTheStartBlock_AndFollowsWhatWasLoaded()
    {
        var tracker = new BlockTracker();
        var key = Key(123, 173, lastScanned: 126);

        Assert.Equal(123UL, tracker.NextBlock(key));
        Load(tracker, key, 123, 140);
        Assert.Equal(140UL, tracker.NextBlock(key));
    }

    [Fact]
    public void NextBlock_OfARetiredKey_StopsAtItsExpiry()
    {
        var tracker = new BlockTracker();
        var key = Key(123, 173, retired: true);

        Load(tracker, key, 123, 173);

        Assert.Null(tracker.NextBlock(key));
    }

    [Fact]
    public void NextBlock_OfALostKey_StopsAfterItsLastScannedBlock_AndNeverStartsIfItScannedNothing()
    {
        var tracker = new BlockTracker();
        var scanned = Key(123, 173, lost: true, lastScanned: 130);
        var never = Key(10, 50, lost: true);

        Load(tracker, scanned, 123, 131);

        Assert.Null(tracker.NextBlock(scanned));
        Assert.Null(tracker.NextBlock(never));
    }

    [Fact]
    public void BlocksOfAKey_MustLoadInOrder()
    {
        var tracker = new BlockTracker();
        var key = Key(0);
        tracker.BlockProcessed(key.Key, 0);

        Assert.Throws<InvalidOperationException>(() => tracker.BlockProcessed(key.Key, 2));
    }

    [Fact]
    public void SingleKeyFromZero_CountFollowsTheBlocksLoaded()
    {
        var tracker = new BlockTracker();
        var key = Key(0);

        for (ulong i = 0; i < 10; i++)
        {
            Load(tracker, key, i, i + 1);
            Assert.Equal(i + 1, tracker.HighestFullyProcessedBlockCount([key]).Count);
        }
    }

    [Fact]
    public void SingleKeyFromTen_BlocksNoKeyCoversArePassed()
    {
        var tracker = new BlockTracker();
        var key = Key(10);

        Assert.Equal(0UL, tracker.HighestFullyProcessedBlockCount([key]).Count);
        Load(tracker, key, 10, 11);

        Assert.Equal(11UL, tracker.HighestFullyProcessedBlockCount([key]).Count);
    }

    [Fact]
    public void KeyLostAfterFiveBlocks_NoLongerBlocks()
    {
        var tracker = new BlockTracker();
        var key = Key(0, 10);
        Load(tracker, key, 0, 5);
        var other = Key(10);
        Load(tracker, other, 10, 12);

        var (stuck, reason) = tracker.HighestFullyProcessedBlockCount([key, other]);
        Assert.Equal(5UL, stuck);
        Assert.Equal(key.Key, reason!.Key);

        Assert.Equal(12UL, tracker.HighestFullyProcessedBlockCount([With(key, lost: true, lastScanned: 4), other]).Count);
    }

    [Fact]
    public void LostKey_StillBlocksUntilItsLastScannedBlockIsLoaded()
    {
        var tracker = new BlockTracker();
        var key = Key(0, 10);
        Load(tracker, key, 0, 3);
        var other = Key(0);
        Load(tracker, other, 0, 8);

        // Lost after scanning block 5, of which only blocks 0–2 are loaded so far.
        var lost = With(key, lost: true, lastScanned: 5);
        var (count, reason) = tracker.HighestFullyProcessedBlockCount([lost, other]);
        Assert.Equal(3UL, count);
        Assert.Equal(key.Key, reason!.Key);

        Load(tracker, lost, 3, 6);
        Assert.Equal(8UL, tracker.HighestFullyProcessedBlockCount([lost, other]).Count);
    }

    [Fact]
    public void OverlappingKeys_WaitForTheSlowest()
    {
        var tracker = new BlockTracker();
        var fast = Key(0);
        var slow = Key(0);
        Load(tracker, fast, 0, 20);
        Load(tracker, slow, 0, 7);

        var (count, reason) = tracker.HighestFullyProcessedBlockCount([fast, slow]);

        Assert.Equal(7UL, count);
        Assert.Equal(slow.Key, reason!.Key);
        Assert.Equal(20UL, tracker.HighestKnownBlockCount);
    }

    [Fact]
    public void RetiredKey_ThenAGap_ThenANewKey_PassesTheGap()
    {
        var tracker = new BlockTracker();
        var retired = Key(0, 5, retired: true);
        var next = Key(8);
        Load(tracker, retired, 0, 3);
        Load(tracker, next, 8, 10);

        Assert.Equal(3UL, tracker.HighestFullyProcessedBlockCount([retired, next]).Count);

        Load(tracker, retired, 3, 5);
        Assert.Equal(10UL, tracker.HighestFullyProcessedBlockCount([retired, next]).Count);
    }

    [Fact]
    public void RetiredKeyConcurrentWithAnActiveOne_BlocksUntilItsExpiry()
    {
        var tracker = new BlockTracker();
        var retired = Key(0, 6, retired: true);
        var active = Key(2);
        Load(tracker, active, 2, 10);
        Load(tracker, retired, 0, 4);

        Assert.Equal(4UL, tracker.HighestFullyProcessedBlockCount([retired, active]).Count);
        Load(tracker, retired, 4, 6);
        Assert.Equal(10UL, tracker.HighestFullyProcessedBlockCount([retired, active]).Count);
    }

    [Fact]
    public void BothKeysLost_CountStopsAtTheHighestLoadedBlock()
    {
        var tracker = new BlockTracker();
        var a = Key(0, 20);
        var b = Key(0, 20);
        Load(tracker, a, 0, 6);
        Load(tracker, b, 0, 4);

        Assert.Equal(6UL, tracker.HighestFullyProcessedBlockCount([With(a, lost: true, lastScanned: 5), With(b, lost: true, lastScanned: 3)]).Count);
    }

    [Fact]
    public void Count_NeverDecreases()
    {
        var tracker = new BlockTracker();
        var key = Key(0);
        Load(tracker, key, 0, 5);
        Assert.Equal(5UL, tracker.HighestFullyProcessedBlockCount([key]).Count);

        // A key appearing later that claims earlier blocks (a racy start block) cannot move the count back.
        Assert.Equal(5UL, tracker.HighestFullyProcessedBlockCount([key, Key(2)]).Count);
    }
}
