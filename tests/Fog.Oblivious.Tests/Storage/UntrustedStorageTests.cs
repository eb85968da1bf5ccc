using Fog.Oblivious.Maps;
using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;
using Fog.Oblivious.Tests.Support;

namespace Fog.Oblivious.Tests.Storage;

public class UntrustedStorageTests
{
    private const int ValueSize = 64;

    [Fact]
    public void An_altered_bucket_is_detected_and_the_oram_stops()
    {
        var (oram, host) = Create(trustedTopLevels: 0);
        using (oram)
        {
            WriteAll(oram);

            // The root (record 0 when no level is trusted) is on every branch.
            host!.Record(0)[100] ^= 0x01;
            var e = Assert.Throws<OramIntegrityException>(() => oram.BeginAccess(3));
            Assert.Equal(1UL, e.Node);
            Assert.Throws<InvalidOperationException>(() => oram.BeginAccess(3));
        }
    }

    [Fact]
    public void An_altered_tag_is_detected()
    {
        var (oram, host) = Create(trustedTopLevels: 0);
        using (oram)
        {
            WriteAll(oram);
            host!.Record(0)[host.RecordSize - 1] ^= 0x80;
            Assert.Throws<OramIntegrityException>(() => oram.BeginAccess(0));
        }
    }

    [Fact]
    public void Swapped_buckets_are_detected()
    {
        var (oram, host) = Create(trustedTopLevels: 1);
        using (oram)
        {
            WriteAll(oram);

            // With the root trusted, records 0 and 1 are nodes 2 and 3; every branch passes one of them.
            host!.Swap(0, 1);
            var e = Assert.Throws<OramIntegrityException>(() => oram.BeginAccess(7));
            Assert.InRange(e.Node, 2UL, 3UL);
        }
    }

    [Fact]
    public void A_replayed_older_bucket_is_detected()
    {
        var (oram, host) = Create(trustedTopLevels: 0);
        using (oram)
        {
            WriteAll(oram);
            var old = host!.Snapshot(0);
            oram.Write(1, Pattern(0x55));
            oram.Write(2, Pattern(0x66));
            host.Restore(0, old);
            Assert.Throws<OramIntegrityException>(() => oram.BeginAccess(1));
        }
    }

    [Fact]
    public void Garbage_in_never_written_buckets_is_ignored_and_reads_as_empty()
    {
        var (oram, host) = Create(trustedTopLevels: 0);
        using (oram)
        {
            for (long r = 0; r < host!.RecordCount; r++)
            {
                host.Record(r).Fill(0xEE);
            }

            var value = new byte[ValueSize];
            oram.Read(9, value);
            Assert.Equal(new byte[ValueSize], value);
        }
    }

    [Fact]
    public void Plaintext_never_reaches_the_host_and_every_branch_asks_for_all_untrusted_levels()
    {
        var (oram, host) = Create(trustedTopLevels: 2);
        using (oram)
        {
            var marker = Pattern(0xC3);
            for (ulong i = 0; i < 64; i++)
            {
                oram.Write(i, marker);
            }

            var needle = marker.AsSpan(0, 16).ToArray();
            for (long r = 0; r < host!.RecordCount; r++)
            {
                Assert.True(host.Record(r).IndexOf(needle) < 0, $"plaintext visible in record {r}");
            }

            var value = new byte[ValueSize];
            oram.Read(17, value);
            Assert.Equal(marker, value);

            // Height 4 (64 blocks, Z = 4), 2 trusted levels: each checkout reads exactly 3 records.
            host.Reads.Clear();
            oram.Read(5, value);
            Assert.Equal(0, host.Reads.Count % 3);
            Assert.True(host.Reads.Count >= 6);
        }
    }

    [Fact]
    public void A_tampered_map_bucket_is_detected_on_the_next_lookup()
    {
        TamperingHost? firstHost = null;
        var options = ObliviousMapOptions.For(ObliviousMapShape.KeyImage, 512) with
        {
            Storage = new OramStorageOptions
            {
                Kind = OramStorageKind.Untrusted,
                TrustedTopLevels = 0,
                HostFactory = (count, size) =>
                {
                    var h = new TamperingHost(count, size);
                    firstHost ??= h;
                    return h;
                },
            },
        };
        using var random = SeededRandomSource.FromTestSeed(21);
        using var map = new CuckooObliviousMap(options, random);
        var key = new byte[32];
        key[0] = 1;
        Assert.Equal(ObliviousMapStatus.NotFound, map.VarTimeWrite(key, new byte[16], allowOverwrite: false));
        Assert.NotNull(firstHost);
        firstHost!.Record(0)[5] ^= 0x20;
        Assert.Throws<OramIntegrityException>(() => map.Read(key, new byte[16]));
    }

    private static (IOram Oram, TamperingHost? Host) Create(int trustedTopLevels)
    {
        TamperingHost? host = null;
        var options = new OramOptions
        {
            ValueSize = ValueSize,
            Storage = new OramStorageOptions
            {
                Kind = OramStorageKind.Untrusted,
                TrustedTopLevels = trustedTopLevels,
                HostFactory = (count, size) => host = new TamperingHost(count, size),
            },
        };
        var random = SeededRandomSource.FromTestSeed(20);

        // 64 blocks: the position map is a linear scan, so the only host is the data tree's.
        var oram = OramFactory.Create(64, options, random);
        return (oram, host);
    }

    private static void WriteAll(IOram oram)
    {
        for (ulong i = 0; i < oram.Length; i++)
        {
            oram.Write(i, Pattern((byte)i));
        }
    }

    private static byte[] Pattern(byte seed) => Enumerable.Range(0, ValueSize).Select(i => (byte)(seed + (31 * i))).ToArray();
}
