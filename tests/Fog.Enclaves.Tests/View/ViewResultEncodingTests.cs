using Fog.Api.FogView;
using Fog.Enclaves.View;
using Fog.Oblivious.Maps;

namespace Fog.Enclaves.Tests.View;

public sealed class ViewResultEncodingTests
{
    private static byte[] Value(int payloadLength, int seed)
    {
        var value = new byte[ETxOutStore.ValueSize];
        value[0] = (byte)(ETxOutStore.MaxPayloadSize - payloadLength);
        new Random(seed).NextBytes(value.AsSpan(1, payloadLength));
        return value;
    }

    [Fact]
    public void LegacyEntry_SplitsAt_EveryPayloadLength_AndAlwaysHasTheSameLength()
    {
        var key = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var expectedLength = ViewResultEncoding.LegacyEntryLength(16);
        for (var length = 0; length <= ETxOutStore.MaxPayloadSize; length++)
        {
            var value = Value(length, length);
            var buffer = new byte[expectedLength];

            var written = ViewResultEncoding.WriteLegacy(buffer, key, ObliviousMapStatus.Found, value);

            Assert.Equal(expectedLength, written);
            var response = QueryResponse.Parser.ParseFrom(buffer);
            var result = Assert.Single(response.TxOutSearchResults);
            Assert.Equal(key, result.SearchKey.ToByteArray());
            Assert.Equal(1u, result.ResultCode);
            Assert.Equal(value.AsSpan(1, length).ToArray(), result.Ciphertext.ToByteArray());
            Assert.Equal(new byte[255 - length], result.Padding.ToByteArray());
        }
    }

    [Fact]
    public void FixedEntry_HasThePayloadThenZeros_AndAlwaysHasTheSameLength()
    {
        var key = new byte[] { 9, 9, 9 };
        var expectedLength = ViewResultEncoding.FixedEntryLength(key.Length);
        foreach (var length in new[] { 0, 1, 127, 128, 232, 239 })
        {
            var value = Value(length, length);
            var buffer = new byte[expectedLength];

            Assert.Equal(expectedLength, ViewResultEncoding.WriteFixed(buffer, key, ObliviousMapStatus.Found, value));

            var result = Assert.Single(QueryResponse.Parser.ParseFrom(buffer).FixedTxOutSearchResults);
            Assert.Equal((uint)length, result.PayloadLength);
            Assert.Equal([.. value.AsSpan(1, length), .. new byte[255 - length]], result.Ciphertext.ToByteArray());
        }
    }

    [Theory]
    [InlineData(ObliviousMapStatus.Found, 1u)]
    [InlineData(ObliviousMapStatus.NotFound, 2u)]
    [InlineData(ObliviousMapStatus.InvalidKey, 3u)]
    [InlineData(ObliviousMapStatus.Overflow, 4u)]
    [InlineData(77u, 4u)]
    public void ResultCode_MapsEveryStatus(uint status, uint code)
    {
        Assert.Equal(code, ViewResultEncoding.ResultCode(status));
    }

    [Theory]
    [InlineData(ObliviousMapStatus.NotFound)]
    [InlineData(ObliviousMapStatus.InvalidKey)]
    public void EntriesForAMiss_HaveLengthZeroWhateverTheLengthByte(uint status)
    {
        var value = new byte[ETxOutStore.ValueSize];
        value[0] = 2; // as if a 237-byte record's length byte were left behind
        var buffer = new byte[ViewResultEncoding.FixedEntryLength(16) + ViewResultEncoding.LegacyEntryLength(16)];

        var written = ViewResultEncoding.WriteFixed(buffer, new byte[16], status, value);
        ViewResultEncoding.WriteLegacy(buffer.AsSpan(written), new byte[16], status, value);

        var response = QueryResponse.Parser.ParseFrom(buffer);
        Assert.Equal(0u, response.FixedTxOutSearchResults[0].PayloadLength);
        Assert.True(response.TxOutSearchResults[0].Ciphertext.IsEmpty);
        Assert.Equal(255, response.TxOutSearchResults[0].Padding.Length);
    }
}
