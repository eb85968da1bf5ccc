using Fog.Crypto.Codecs;
using FsCheck.Xunit;

namespace Fog.Crypto.Tests;

public class CodecTests
{
    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Theory]
    [InlineData("", "")]
    [InlineData("00", "1")]
    [InlineData("0000ff", "115Q")]
    [InlineData("61", "2g")]
    [InlineData("626262", "a3gV")]
    [InlineData("516b6fcd0f", "ABnLTmg")]
    public void Base58_matches_known_encodings(string hex, string expected)
    {
        var data = Convert.FromHexString(hex);
        Assert.Equal(expected, Base58.Encode(data));
        Assert.Equal(data, Base58.Decode(expected));
    }

    [Property(MaxTest = 200)]
    public bool Base58_round_trips(byte[] data) => Base58.Decode(Base58.Encode(data)).AsSpan().SequenceEqual(data);

    [Theory]
    [InlineData("0OIl")]
    [InlineData("abc!")]
    [InlineData("é")]
    public void Base58_rejects_characters_outside_the_alphabet(string text)
    {
        Assert.False(Base58.TryDecode(text, out _));
        Assert.Throws<FormatException>(() => Base58.Decode(text));
    }
}
