using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Fog.Enclaves.Common;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Maps;

namespace Fog.Enclaves.KeyImage;

/// <summary>
/// Writes <c>CheckKeyImagesResponse.results</c> (field 3) entries straight into the encoded response: every
/// <c>KeyImageResult</c> field is present and fixed-width, so an entry's length depends only on the (public)
/// key-image length.
/// </summary>
internal static class KeyImageResultEncoding
{
    /// <summary>Field number of <c>CheckKeyImagesResponse.results</c>.</summary>
    internal const int ResultsField = 3;

    /// <summary><c>KeyImageResultCode.Spent</c>.</summary>
    internal const uint Spent = 1;

    /// <summary><c>KeyImageResultCode.NotSpent</c>.</summary>
    internal const uint NotSpent = 2;

    /// <summary><c>KeyImageResultCode.KeyImageError</c>.</summary>
    internal const uint KeyImageError = 3;

    /// <summary><c>TimestampResultCode.TimestampFound</c>.</summary>
    internal const uint TimestampFound = 1;

    /// <summary>Bytes of one entry (field 3 tag and length included) for a key image of <paramref name="keyImageLength"/> bytes.</summary>
    internal static int EntryLength(int keyImageLength) => FixedShapeProto.LengthDelimitedFieldLength(ContentLength(keyImageLength));

    /// <summary>The result code for a map status, computed with masks.</summary>
    /// <remarks>Security: constant time in <paramref name="status"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static uint ResultCode(uint status) =>
        Ct.Select(
            Ct.Equal(status, ObliviousMapStatus.Found),
            Spent,
            Ct.Select(Ct.Equal(status, ObliviousMapStatus.NotFound), NotSpent, KeyImageError));

    /// <summary>Writes one <c>KeyImageResult</c> as field 3.</summary>
    /// <param name="destination">At least <see cref="EntryLength"/> bytes.</param>
    /// <param name="keyImage">The key image as the client sent it (echoed).</param>
    /// <param name="status">The map status (secret).</param>
    /// <param name="value">What <see cref="KeyImageStore.Find"/> produced.</param>
    /// <returns>Bytes written.</returns>
    /// <remarks>Security: constant time; bytes and positions depend only on the key image's length.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int Write(Span<byte> destination, ReadOnlySpan<byte> keyImage, uint status, ReadOnlySpan<byte> value)
    {
        var written = FixedShapeProto.WriteLengthPrefix(destination, ResultsField, ContentLength(keyImage.Length));
        written += FixedShapeProto.WriteLengthPrefix(destination[written..], 1, FixedShapeProto.LengthDelimitedFieldLength(keyImage.Length));
        written += FixedShapeProto.WriteBytesField(destination[written..], 1, keyImage);
        written += FixedShapeProto.WriteFixed64Field(destination[written..], 2, BinaryPrimitives.ReadUInt64LittleEndian(value));
        written += FixedShapeProto.WriteFixed64Field(destination[written..], 3, BinaryPrimitives.ReadUInt64LittleEndian(value[8..]));
        written += FixedShapeProto.WriteFixed32Field(destination[written..], 4, TimestampFound);
        written += FixedShapeProto.WriteFixed32Field(destination[written..], 5, ResultCode(status));
        return written;
    }

    // key_image (a nested external.KeyImage { bytes data = 1 }), spent_at, timestamp, two codes.
    private static int ContentLength(int keyImageLength) =>
        FixedShapeProto.LengthDelimitedFieldLength(FixedShapeProto.LengthDelimitedFieldLength(keyImageLength)) + 9 + 9 + 5 + 5;
}
