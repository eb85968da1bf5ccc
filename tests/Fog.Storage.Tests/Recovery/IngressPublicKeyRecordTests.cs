using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>Which blocks a key is responsible for (reference/view.md §4.2) and block ranges.</summary>
public sealed class IngressPublicKeyRecordTests
{
    [Theory]
    [InlineData(false, false, 10, 0, null, 10, ulong.MaxValue, 10UL)] // active, nothing scanned
    [InlineData(false, false, 10, 30, 14UL, 10, ulong.MaxValue, 15UL)] // active: expiry does not bound it
    [InlineData(true, false, 10, 30, 14UL, 10, 30, 15UL)] // retired: up to its expiry
    [InlineData(true, false, 10, 30, 29UL, 10, 30, null)] // retired and scanned to its expiry: done
    [InlineData(true, false, 10, 5, null, 10, 10, null)] // retired, never published: nothing
    [InlineData(false, true, 10, 30, 14UL, 10, 15, null)] // lost: only what it scanned
    [InlineData(false, true, 10, 30, null, 0, 0, null)] // lost, never scanned: nothing
    [InlineData(true, true, 10, 30, 12UL, 10, 13, null)] // lost wins over retired
    public void Block_range_and_next_needed_block_follow_the_key_status(bool retired, bool lost, ulong start, ulong expiry, ulong? lastScanned, ulong rangeStart, ulong rangeEnd, ulong? next)
    {
        var record = new IngressPublicKeyRecord(TestData.NewKey(), new IngressPublicKeyStatus(start, expiry, retired, lost), lastScanned);

        Assert.Equal(new BlockRange(rangeStart, rangeEnd), record.BlockRange);
        Assert.Equal(next, record.NextNeededBlockIndex);
        Assert.Equal(!record.BlockRange.IsEmpty, record.CoversBlockIndex(rangeStart));
        Assert.False(record.CoversBlockIndex(rangeEnd));
    }

    [Fact]
    public void A_block_range_is_half_open()
    {
        var range = new BlockRange(10, 20);

        Assert.Equal(10UL, range.Length);
        Assert.True(range.Contains(10));
        Assert.True(range.Contains(19));
        Assert.False(range.Contains(20));
        Assert.False(range.Contains(9));
        Assert.True(range.Overlaps(new BlockRange(19, 25)));
        Assert.False(range.Overlaps(new BlockRange(20, 25)));
        Assert.False(range.Overlaps(new BlockRange(15, 15)));
        Assert.True(new BlockRange(7, 7).IsEmpty);
        Assert.Equal(BlockRange.Empty, new BlockRange(0, 0));
        Assert.Equal("[10, 20)", range.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockRange(5, 4));
    }
}
