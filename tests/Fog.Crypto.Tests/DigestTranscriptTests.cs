using Fog.Crypto.Digestible;
using Fog.Crypto.Ristretto;

namespace Fog.Crypto.Tests;

/// <summary>
/// Digests of primitives and containers under context "test", as pinned by MobileCoin's
/// crypto/digestible/tests/basic.rs.
/// </summary>
public class DigestTranscriptTests
{
    private static string Digest(Action<DigestTranscript> append)
    {
        var transcript = new DigestTranscript();
        append(transcript);
        return Convert.ToHexStringLower(transcript.ExtractDigest());
    }

    private static string Hex(params byte[] bytes) => Convert.ToHexStringLower(bytes);

    [Fact]
    public void Unsigned_integers_are_typed_by_width()
    {
        Assert.Equal(Hex(3, 240, 99, 152, 14, 1, 149, 80, 250, 86, 180, 216, 110, 25, 51, 107, 30, 14, 87, 217, 133, 130, 167, 71, 103, 51, 29, 107, 225, 251, 61, 28), Digest(t => t.AppendUInt64("test"u8, 0)));
        Assert.Equal(Hex(199, 212, 113, 79, 91, 56, 22, 48, 131, 244, 165, 157, 170, 131, 255, 29, 59, 249, 175, 89, 255, 57, 43, 50, 76, 217, 9, 219, 85, 103, 113, 88), Digest(t => t.AppendUInt64("test"u8, ulong.MaxValue)));
        Assert.Equal(Hex(145, 81, 95, 184, 130, 3, 242, 53, 64, 171, 131, 200, 129, 99, 61, 59, 62, 5, 167, 57, 201, 221, 68, 223, 241, 12, 120, 3, 84, 230, 233, 57), Digest(t => t.AppendUInt32("test"u8, 1)));
        Assert.Equal(Hex(205, 14, 25, 219, 37, 171, 77, 183, 204, 58, 27, 140, 62, 214, 253, 98, 114, 245, 30, 75, 155, 237, 219, 138, 220, 193, 54, 89, 165, 201, 98, 139), Digest(t => t.AppendUInt16("test"u8, 1)));
    }

    [Fact]
    public void Signed_integers_and_bools_match()
    {
        Assert.Equal(Hex(228, 7, 115, 202, 168, 246, 222, 11, 56, 46, 232, 222, 2, 174, 19, 94, 172, 49, 183, 58, 90, 36, 230, 25, 155, 70, 152, 91, 25, 32, 232, 134), Digest(t => t.AppendInt8("test"u8, -1)));
        Assert.Equal(Hex(183, 179, 212, 189, 74, 235, 202, 152, 194, 250, 250, 106, 223, 223, 184, 93, 185, 78, 52, 211, 63, 23, 84, 244, 193, 96, 188, 232, 28, 67, 12, 93), Digest(t => t.AppendInt32("test"u8, 1)));
        Assert.Equal(Hex(40, 117, 43, 212, 193, 213, 3, 244, 43, 51, 234, 26, 235, 38, 254, 187, 55, 184, 30, 147, 157, 178, 45, 2, 206, 64, 250, 109, 179, 41, 250, 207), Digest(t => t.AppendInt64("test"u8, -19)));
        Assert.Equal(Hex(43, 47, 123, 204, 127, 100, 113, 181, 186, 75, 237, 124, 118, 82, 178, 18, 36, 68, 200, 197, 226, 119, 254, 216, 248, 169, 80, 213, 177, 105, 74, 139), Digest(t => t.AppendBool("test"u8, true)));
        Assert.Equal(Hex(179, 213, 201, 122, 159, 245, 126, 198, 143, 251, 194, 2, 65, 134, 95, 232, 199, 204, 253, 41, 158, 206, 125, 89, 184, 255, 83, 118, 116, 139, 15, 171), Digest(t => t.AppendBool("test"u8, false)));
    }

    [Fact]
    public void Bytes_and_strings_hash_differently()
    {
        Assert.Equal(Hex(74, 2, 88, 165, 144, 53, 142, 180, 217, 188, 176, 227, 153, 178, 153, 12, 62, 157, 215, 120, 135, 160, 117, 114, 95, 201, 169, 182, 238, 153, 17, 21), Digest(t => t.AppendBytes("test"u8, "Moose"u8)));
        Assert.Equal(Hex(249, 27, 225, 46, 77, 153, 89, 235, 98, 17, 218, 128, 114, 96, 244, 217, 150, 240, 195, 131, 181, 176, 181, 189, 249, 164, 14, 96, 213, 124, 5, 231), Digest(t => t.AppendString("test"u8, "Moose")));
    }

    [Fact]
    public void Scalars_and_points_match()
    {
        var ten = new byte[32];
        Ristretto255.ScalarFromUInt64(10, ten);
        var tenG = new byte[32];
        Ristretto255.ScalarMultiplyBase(ten, tenG);
        Assert.Equal(Hex(174, 15, 64, 233, 225, 254, 36, 100, 145, 155, 193, 51, 53, 242, 199, 217, 148, 118, 26, 152, 227, 191, 65, 98, 185, 116, 209, 84, 57, 190, 233, 197), Digest(t => t.AppendScalar("test"u8, ten)));
        Assert.Equal(Hex(138, 144, 135, 180, 70, 213, 175, 162, 233, 19, 227, 66, 97, 189, 110, 31, 193, 8, 212, 64, 245, 46, 118, 54, 118, 168, 115, 88, 160, 39, 243, 63), Digest(t => t.AppendRistretto("test"u8, tenG)));
    }

    [Fact]
    public void Sequences_none_and_options_match()
    {
        Assert.Equal(Hex(57, 188, 233, 215, 161, 193, 239, 222, 47, 27, 96, 29, 63, 204, 63, 47, 197, 53, 50, 58, 62, 148, 55, 17, 109, 143, 127, 120, 19, 50, 44, 18), Digest(t =>
        {
            t.AppendSequenceHeader("test"u8, 3);
            t.AppendUInt32(""u8, 1);
            t.AppendUInt32(""u8, 2);
            t.AppendUInt32(""u8, 3);
        }));

        // None, an empty Vec and Some(empty Vec) all append one none node.
        Assert.Equal(Hex(35, 213, 109, 195, 226, 235, 162, 166, 228, 183, 30, 23, 226, 184, 19, 8, 12, 166, 24, 194, 247, 84, 216, 45, 122, 19, 75, 140, 159, 233, 85, 6), Digest(t => t.AppendNone("test"u8)));

        // vec![Some("asdf"), None, Some("jkl")]
        Assert.Equal(Hex(216, 197, 219, 123, 74, 59, 155, 97, 23, 51, 16, 187, 15, 18, 43, 165, 36, 166, 89, 49, 103, 111, 139, 68, 35, 50, 146, 153, 49, 205, 196, 76), Digest(t =>
        {
            t.AppendSequenceHeader("test"u8, 3);
            t.AppendString(""u8, "asdf");
            t.AppendNone(""u8);
            t.AppendString(""u8, "jkl");
        }));
    }
}
