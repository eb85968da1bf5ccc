using Fog.Oblivious.Maps;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Tests.Support;

namespace Fog.Oblivious.Tests.Maps;

public class ObliviousMapBehaviourTests
{
    [Theory]
    [InlineData(16, 240, 1UL << 20, 4, 1UL << 17, 1UL << 20)]
    [InlineData(32, 8, 1UL << 18, 25, 1UL << 13, 409_600)]
    [InlineData(32, 16, 1UL << 20, 21, 1UL << 15, 1_376_256)]
    [InlineData(16, 240, 10, 4, 1, 8)]
    public void Geometry_follows_the_reference_sizing(int keySize, int valueSize, ulong desired, int pairs, ulong buckets, ulong capacity)
    {
        using var random = SeededRandomSource.FromTestSeed(1);
        using var map = new CuckooObliviousMap(new ObliviousMapOptions { KeySize = keySize, ValueSize = valueSize, Capacity = desired }, random);
        Assert.Equal(pairs, map.PairsPerBucket);
        Assert.Equal(buckets, map.BucketsPerTable);
        Assert.Equal(capacity, map.Capacity);
    }

    [Fact]
    public void Overwrite_rules_follow_the_flag()
    {
        using var random = SeededRandomSource.FromTestSeed(2);
        using var map = new CuckooObliviousMap(ObliviousMapOptions.For(ObliviousMapShape.KeyImage, 256), random);
        var key = MapModel.KeyFor(5, 32);
        var output = new byte[16];
        Assert.Equal(ObliviousMapStatus.NotFound, map.Read(key, output));
        Assert.Equal(ObliviousMapStatus.NotFound, map.VarTimeWrite(key, Filled(16, 1), allowOverwrite: false));
        Assert.Equal(ObliviousMapStatus.Found, map.VarTimeWrite(key, Filled(16, 2), allowOverwrite: false));
        Assert.Equal(ObliviousMapStatus.Found, map.Read(key, output));
        Assert.Equal(Filled(16, 1), output);
        Assert.Equal(ObliviousMapStatus.Found, map.VarTimeWrite(key, Filled(16, 3), allowOverwrite: true));
        Assert.Equal(ObliviousMapStatus.Found, map.Read(key, output));
        Assert.Equal(Filled(16, 3), output);
        Assert.Equal(1UL, map.Count);
    }

    [Fact]
    public void The_all_zero_key_is_invalid_for_every_operation_and_changes_nothing()
    {
        using var random = SeededRandomSource.FromTestSeed(3);
        using var map = new CuckooObliviousMap(ObliviousMapOptions.For(ObliviousMapShape.Ingest, 256), random);
        var zero = new byte[32];
        var output = Filled(8, 9);
        Assert.Equal(ObliviousMapStatus.InvalidKey, map.Read(zero, output));
        Assert.Equal(Filled(8, 9), output);
        Assert.Equal(ObliviousMapStatus.InvalidKey, map.VarTimeWrite(zero, Filled(8, 1), allowOverwrite: true));
        Assert.Equal(ObliviousMapStatus.InvalidKey, map.Remove(zero));
        uint seen = 99;
        Assert.Equal(ObliviousMapStatus.InvalidKey, map.Access(zero, (status, value) => { seen = status; value.Fill(7); }));
        Assert.Equal(ObliviousMapStatus.InvalidKey, seen);
        Assert.Equal(ObliviousMapStatus.InvalidKey, map.AccessAndRemove(zero, (_, _) => true));
        Assert.Equal(ObliviousMapStatus.InvalidKey, map.AccessAndInsert(zero, Filled(8, 0), (_, v) => v.Fill(1)));
        Assert.Equal(0UL, map.Count);

        // Empty slots hold the zero key; none of them may ever be reported as a match.
        Assert.Equal(ObliviousMapStatus.NotFound, map.VarTimeWrite(MapModel.KeyFor(1, 32), Filled(8, 1), allowOverwrite: false));
        Assert.Equal(ObliviousMapStatus.InvalidKey, map.Read(zero, output));
        Assert.Equal(Filled(8, 9), output);
    }

    [Fact]
    public void Overflow_rolls_back_completely_and_loses_nothing()
    {
        using var random = SeededRandomSource.FromTestSeed(4);
        using var map = new CuckooObliviousMap(ObliviousMapOptions.For(ObliviousMapShape.View, 256), random);
        var inserted = new List<byte[]>();
        var firstOverflow = -1;
        for (var i = 1; i < 400 && firstOverflow < 0; i++)
        {
            var key = MapModel.KeyFor(i, 16);
            var before = map.Count;
            var status = map.VarTimeWrite(key, MapModel.ValueFor((byte)i, 240), allowOverwrite: false);
            if (status == ObliviousMapStatus.Overflow)
            {
                firstOverflow = i;
                Assert.Equal(before, map.Count);
                Assert.Equal(ObliviousMapStatus.NotFound, map.Read(key, new byte[240]));
            }
            else
            {
                Assert.Equal(ObliviousMapStatus.NotFound, status);
                inserted.Add(key);
            }
        }

        Assert.True(firstOverflow > 0, "256 slots must overflow before 400 inserts");
        Assert.True((ulong)inserted.Count >= map.Capacity / 2, $"only {inserted.Count} of {map.Capacity} slots used before the first overflow");
        var output = new byte[240];
        foreach (var key in inserted)
        {
            Assert.Equal(ObliviousMapStatus.Found, map.Read(key, output));
        }

        // Present keys can still be overwritten after an overflow.
        Assert.Equal(ObliviousMapStatus.Found, map.VarTimeWrite(inserted[0], MapModel.ValueFor(1, 240), allowOverwrite: true));
    }

    [Fact]
    public void Access_and_insert_always_adds_exactly_one_item()
    {
        using var random = SeededRandomSource.FromTestSeed(5);
        using var map = new CuckooObliviousMap(ObliviousMapOptions.For(ObliviousMapShape.Ingest, 4096), random);
        var key = MapModel.KeyFor(1, 32);
        var defaultValue = new byte[8];
        for (ulong round = 1; round <= 20; round++)
        {
            var status = map.AccessAndInsert(key, defaultValue, (_, value) => BitConverter.TryWriteBytes(value, BitConverter.ToUInt64(value) + 1));
            Assert.Equal(round == 1 ? ObliviousMapStatus.NotFound : ObliviousMapStatus.Found, status);
            Assert.Equal(round, map.Count);
        }

        var output = new byte[8];
        Assert.Equal(ObliviousMapStatus.Found, map.Read(key, output));
        Assert.Equal(20UL, BitConverter.ToUInt64(output));
    }

    [Fact]
    public void Remove_and_access_and_remove_free_the_slot_for_reuse()
    {
        using var random = SeededRandomSource.FromTestSeed(6);
        using var map = new CuckooObliviousMap(ObliviousMapOptions.For(ObliviousMapShape.View, 8), random);
        var keys = Enumerable.Range(1, 8).Select(i => MapModel.KeyFor(i, 16)).ToArray();
        foreach (var k in keys)
        {
            Assert.Equal(ObliviousMapStatus.NotFound, map.VarTimeWrite(k, new byte[240], false));
        }

        var extra = MapModel.KeyFor(100, 16);
        Assert.Equal(ObliviousMapStatus.Overflow, map.VarTimeWrite(extra, new byte[240], false));
        Assert.Equal(ObliviousMapStatus.Found, map.Remove(keys[0]));
        Assert.Equal(ObliviousMapStatus.Found, map.AccessAndRemove(keys[1], (_, _) => true));
        Assert.Equal(ObliviousMapStatus.Found, map.AccessAndRemove(keys[2], (_, _) => false));
        Assert.Equal(7UL - 1, map.Count);
        Assert.Equal(ObliviousMapStatus.NotFound, map.VarTimeWrite(extra, new byte[240], false));
        Assert.Equal(ObliviousMapStatus.NotFound, map.Read(keys[0], new byte[240]));
        Assert.Equal(ObliviousMapStatus.Found, map.Read(keys[2], new byte[240]));
    }

    [Fact]
    public void Wrong_key_or_value_lengths_are_rejected()
    {
        using var random = SeededRandomSource.FromTestSeed(7);
        using var map = new CuckooObliviousMap(ObliviousMapOptions.For(ObliviousMapShape.View, 64), random);
        Assert.Throws<ArgumentException>(() => map.Read(new byte[15], new byte[240]));
        Assert.Throws<ArgumentException>(() => map.Read(new byte[16], new byte[239]));
        Assert.Throws<ArgumentException>(() => map.VarTimeWrite(new byte[32], new byte[240], false));
        Assert.Throws<ArgumentException>(() => new CuckooObliviousMap(new ObliviousMapOptions { KeySize = 600, ValueSize = 600 }, random));
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}

public class AllocationTests
{
    [Theory]
    [InlineData(Fog.Oblivious.Oram.EvictorKind.Circuit)]
    [InlineData(Fog.Oblivious.Oram.EvictorKind.PathOram)]
    public void Lookups_and_accesses_do_not_allocate(Fog.Oblivious.Oram.EvictorKind evictor)
    {
        using var random = SeededRandomSource.FromTestSeed(8);
        using var map = new CuckooObliviousMap(ObliviousMapOptions.For(ObliviousMapShape.View, 1 << 10) with { Evictor = evictor }, random);
        var key = MapModel.KeyFor(3, 16);
        var value = new byte[240];
        var callback = default(NoOp);
        map.VarTimeWrite(key, value, false);
        for (var i = 0; i < 100; i++)
        {
            map.Read(key, value);
            map.Access(key, ref callback);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 600; i++)
        {
            key[1] = (byte)i;
            map.Read(key, value);
            map.Access(key, ref callback);
        }

        // Random refills included; allow a few stray bytes from the runtime, not per-operation garbage.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 512);
    }

    private struct NoOp : IObliviousMapAccessor
    {
        public readonly void Access(uint status, Span<byte> value)
        {
        }
    }
}
