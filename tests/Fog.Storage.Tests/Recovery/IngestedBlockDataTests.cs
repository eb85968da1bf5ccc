using Fog.Storage.Recovery;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>The stored form of a block's records: the reference's <c>ProtoIngestedBlockData</c> (reference/ingest.md §1.8, §4.2).</summary>
public sealed class IngestedBlockDataTests
{
    [Fact]
    public void Encoding_is_the_reference_protobuf_layout()
    {
        // ProtoIngestedBlockData { repeated ETxOutRecord e_tx_out_records = 1 }, ETxOutRecord { bytes search_key = 1; bytes payload = 2 },
        // both fields always written (prost "required"), even an empty payload.
        var records = new[]
        {
            new ETxOutRecord(Enumerable.Repeat((byte)0x11, 16).ToArray(), new byte[] { 0xAA, 0xBB }),
            new ETxOutRecord(Enumerable.Repeat((byte)0x22, 16).ToArray(), Array.Empty<byte>()),
        };

        var encoded = IngestedBlockData.Encode(records);

        Assert.Equal(
            "0a16" + "0a10" + string.Concat(Enumerable.Repeat("11", 16)) + "1202aabb"
            + "0a14" + "0a10" + string.Concat(Enumerable.Repeat("22", 16)) + "1200",
            Convert.ToHexStringLower(encoded));
        Assert.Equal(encoded.Length, IngestedBlockData.GetEncodedLength(records));
    }

    [Fact]
    public void A_record_with_a_237_byte_payload_takes_261_bytes_as_the_reference_says()
    {
        Assert.Equal(261, IngestedBlockData.Encode(TestData.Records(1, 0)).Length);
        Assert.Equal(261 * 500, IngestedBlockData.Encode(TestData.Records(500, 0)).Length);
        Assert.Empty(IngestedBlockData.Encode([]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Encode_then_decode_round_trips_records_in_order(int seed)
    {
        var random = new Random(seed);
        var records = Enumerable.Range(0, random.Next(0, 60))
            .Select(_ => new ETxOutRecord(random.GetItems<byte>(Bytes, 16), random.GetItems<byte>(Bytes, random.Next(0, 400))))
            .ToArray();

        Assert.True(IngestedBlockData.TryDecode(IngestedBlockData.Encode(records), out var decoded));

        Assert.Equal(records, decoded);
    }

    [Fact]
    public void The_decoder_skips_unknown_fields_as_protobuf_does()
    {
        var key = Enumerable.Repeat((byte)7, 16).ToArray();
        var bytes = Convert.FromHexString(
            "1803" // outer field 3, varint 3 (unknown)
            + "0a1d" // record, 29 bytes
            + "2001" // field 4 varint
            + "0a10" + Convert.ToHexString(key)
            + "2d01020304" // field 5 fixed32
            + "12020102"
            + "310102030405060708"); // field 6 fixed64

        Assert.True(IngestedBlockData.TryDecode(bytes, out var decoded));

        Assert.Equal([new ETxOutRecord(key, new byte[] { 1, 2 })], decoded);
    }

    [Theory]
    [InlineData("0a")] // record header without a length
    [InlineData("0a05ff")] // length past the end
    [InlineData("0a120a0f000102030405060708090a0b0c0d0e1200")] // 15-byte search key
    [InlineData("0a021200")] // record without a search key
    [InlineData("0b")] // start group (wire type 3)
    [InlineData("02")] // field number 0
    [InlineData("08ffffffffffffffffffff01")] // varint longer than ten bytes
    [InlineData("08ffffffffffffffffff02")] // varint above 2^64 - 1
    [InlineData("0d0102")] // truncated fixed32
    public void The_decoder_rejects_malformed_bytes(string hex)
    {
        Assert.False(IngestedBlockData.TryDecode(Convert.FromHexString(hex), out var records));
        Assert.Empty(records);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void The_decoder_never_throws_on_random_or_mutated_input(int seed)
    {
        // Fuzz entry point: stored blobs come from disk and must fail as "corrupt", never crash a reader.
        var random = new Random(seed);
        var valid = IngestedBlockData.Encode(TestData.Records(4, seed));
        for (var i = 0; i < 2000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = random.GetItems<byte>(Bytes, random.Next(0, 300));
            }
            else
            {
                input = valid[..random.Next(0, valid.Length + 1)];
                for (var flips = random.Next(1, 4); flips > 0 && input.Length > 0; flips--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            if (IngestedBlockData.TryDecode(input, out var decoded))
            {
                Assert.True(IngestedBlockData.TryDecode(IngestedBlockData.Encode(decoded), out var again));
                Assert.Equal(decoded, again);
            }
        }
    }

    [Fact]
    public void A_search_key_must_be_16_bytes()
    {
        Assert.Throws<ArgumentException>(() => new ETxOutRecord(new byte[15], new byte[1]));
        Assert.Throws<ArgumentException>(() => new ETxOutRecord(new byte[17], new byte[1]));
        Assert.DoesNotContain("aa", new ETxOutRecord(new byte[16], new byte[] { 0xAA }).ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private static readonly byte[] Bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
}
