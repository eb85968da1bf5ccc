using System.Runtime.CompilerServices;
using Fog.Enclaves.Common;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Maps;

namespace Fog.Enclaves.View;

/// <summary>
/// Writes a query's search results straight into the encoded <c>fog_view.QueryResponse</c>: per key one legacy
/// <c>TxOutSearchResult</c> (field 7) and one <c>FixedTxOutSearchResult</c> (field 10), every field present, so an
/// entry's length depends only on the (public) search-key length — never on the result code or the payload length.
/// </summary>
/// <remarks>
/// <para>
/// The legacy form splits 255 bytes into <c>ciphertext = payload[..n] ‖ padding = zeros(255 − n)</c>. Its encoded
/// length is 260 bytes for every n: the two length varints always take 3 bytes together (one of n and 255 − n is at
/// least 128). Where the split falls is secret, so every byte of that region is computed with masks.
/// </para>
/// <para>
/// The reference's store left the last inserted record's length in a not-found result and its encoder omitted
/// zero-valued fields, so the response length revealed the number of hits; here not-found results carry length 0
/// and every field is always written.
/// </para>
/// </remarks>
internal static class ViewResultEncoding
{
    /// <summary><c>FIXED_CIPHERTEXT_LENGTH</c>: bytes of every fixed result's ciphertext.</summary>
    internal const int FixedCiphertextSize = 255;

    /// <summary>Field number of <c>QueryResponse.tx_out_search_results</c>.</summary>
    internal const int LegacyResultsField = 7;

    /// <summary>Field number of <c>QueryResponse.fixed_tx_out_search_results</c>.</summary>
    internal const int FixedResultsField = 10;

    /// <summary><c>TxOutSearchResultCode.Found</c>.</summary>
    internal const uint Found = 1;

    /// <summary><c>TxOutSearchResultCode.NotFound</c>.</summary>
    internal const uint NotFound = 2;

    /// <summary><c>TxOutSearchResultCode.BadSearchKey</c>.</summary>
    internal const uint BadSearchKey = 3;

    /// <summary><c>TxOutSearchResultCode.InternalError</c>.</summary>
    internal const uint InternalError = 4;

    // ciphertext field (tag + 1 or 2 length bytes + n) and padding field (tag + 2 or 1 length bytes + 255 − n).
    private const int LegacySplitRegionSize = 2 + 3 + FixedCiphertextSize;

    /// <summary>Bytes of one legacy entry (field 7 tag and length included) for a key of <paramref name="keyLength"/> bytes.</summary>
    internal static int LegacyEntryLength(int keyLength) => FixedShapeProto.LengthDelimitedFieldLength(LegacyContentLength(keyLength));

    /// <summary>Bytes of one fixed entry (field 10 tag and length included) for a key of <paramref name="keyLength"/> bytes.</summary>
    internal static int FixedEntryLength(int keyLength) => FixedShapeProto.LengthDelimitedFieldLength(FixedContentLength(keyLength));

    /// <summary>The result code for a map status, computed with masks.</summary>
    /// <remarks>Security: constant time in <paramref name="status"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static uint ResultCode(uint status) =>
        Ct.Select(
            Ct.Equal(status, ObliviousMapStatus.Found),
            Found,
            Ct.Select(
                Ct.Equal(status, ObliviousMapStatus.NotFound),
                NotFound,
                Ct.Select(Ct.Equal(status, ObliviousMapStatus.InvalidKey), BadSearchKey, InternalError)));

    /// <summary>The payload length a value holds when <paramref name="status"/> is Found, else 0.</summary>
    /// <remarks>Security: constant time in <paramref name="status"/> and the value.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static ulong PayloadLength(uint status, ReadOnlySpan<byte> value) =>
        Ct.Select(Ct.Equal(status, ObliviousMapStatus.Found), (ulong)ETxOutStore.MaxPayloadSize - value[0], 0UL);

    /// <summary>
    /// Writes one legacy <c>TxOutSearchResult</c> as field 7: the key, the code, and the 255 bytes split into
    /// ciphertext and padding at the (secret) payload length.
    /// </summary>
    /// <param name="destination">At least <see cref="LegacyEntryLength"/> bytes.</param>
    /// <param name="searchKey">The key as the client sent it (echoed).</param>
    /// <param name="status">The map status (secret).</param>
    /// <param name="value">The value <see cref="ETxOutStore.Find"/> produced (zeros unless found).</param>
    /// <returns>Bytes written.</returns>
    /// <remarks>
    /// Security: the bytes written, their positions and the instruction stream depend only on the key's length;
    /// the split position is applied with masks over all 260 bytes of the region.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int WriteLegacy(Span<byte> destination, ReadOnlySpan<byte> searchKey, uint status, ReadOnlySpan<byte> value)
    {
        var written = FixedShapeProto.WriteLengthPrefix(destination, LegacyResultsField, LegacyContentLength(searchKey.Length));
        written += FixedShapeProto.WriteBytesField(destination[written..], 1, searchKey);
        written += FixedShapeProto.WriteFixed32Field(destination[written..], 2, ResultCode(status));

        var length = PayloadLength(status, value);
        var big = Ct.LessThan(127, length);                       // n ≥ 128: its varint takes two bytes
        var headerEnd = 2 + (big & 1);                             // where the ciphertext bytes start
        var paddingLength = FixedCiphertextSize - length;
        var lengthByte0 = Ct.Select(big, 0x80 | (length & 0x7F), length);
        var paddingByte0 = Ct.Select(big, paddingLength, 0x80 | (paddingLength & 0x7F));
        var paddingByte1 = Ct.Select(big, 0UL, 1UL);
        var payloadEnd = headerEnd + length;                       // where the padding field's tag goes
        var payload = value[1..];

        var region = destination.Slice(written, LegacySplitRegionSize);
        region[0] = (FixedShapeProto.LengthDelimited | (3 << 3));  // ciphertext = 3
        region[1] = (byte)lengthByte0;
        for (var i = 2; i < LegacySplitRegionSize; i++)
        {
            var index = (ulong)i;
            ulong shiftedBy2 = i - 2 < payload.Length ? payload[i - 2] : 0UL;     // i is public
            ulong shiftedBy3 = i >= 3 && i - 3 < payload.Length ? payload[i - 3] : 0UL;
            var inPayload = ~Ct.LessThan(index, headerEnd) & Ct.LessThan(index, payloadEnd);
            var b = Ct.Select(big, shiftedBy3, shiftedBy2) & inPayload;
            b |= (FixedShapeProto.LengthDelimited | (4 << 3)) & Ct.Equal(index, payloadEnd);   // padding = 4
            b |= paddingByte0 & Ct.Equal(index, payloadEnd + 1);
            b |= paddingByte1 & Ct.Equal(index, payloadEnd + 2);
            if (i == 2)
            {
                b |= big & 1;                                      // second byte of a two-byte length varint
            }

            region[i] = (byte)b;
        }

        return written + LegacySplitRegionSize;
    }

    /// <summary>
    /// Writes one <c>FixedTxOutSearchResult</c> as field 10: the key, the code, the 255-byte ciphertext (the payload
    /// and zeros; all zeros unless found) and the payload length (0 unless found).
    /// </summary>
    /// <param name="destination">At least <see cref="FixedEntryLength"/> bytes.</param>
    /// <param name="searchKey">The key as the client sent it (echoed).</param>
    /// <param name="status">The map status (secret).</param>
    /// <param name="value">The value <see cref="ETxOutStore.Find"/> produced (zeros unless found).</param>
    /// <returns>Bytes written.</returns>
    /// <remarks>Security: constant time; bytes and positions depend only on the key's length.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int WriteFixed(Span<byte> destination, ReadOnlySpan<byte> searchKey, uint status, ReadOnlySpan<byte> value)
    {
        var written = FixedShapeProto.WriteLengthPrefix(destination, FixedResultsField, FixedContentLength(searchKey.Length));
        written += FixedShapeProto.WriteBytesField(destination[written..], 1, searchKey);
        written += FixedShapeProto.WriteFixed32Field(destination[written..], 2, ResultCode(status));
        written += FixedShapeProto.WriteLengthPrefix(destination[written..], 3, FixedCiphertextSize);
        value[1..].CopyTo(destination[written..]);
        destination.Slice(written + ETxOutStore.MaxPayloadSize, FixedCiphertextSize - ETxOutStore.MaxPayloadSize).Clear();
        written += FixedCiphertextSize;
        written += FixedShapeProto.WriteFixed32Field(destination[written..], 4, (uint)PayloadLength(status, value));
        return written;
    }

    private static int KeyAndCodeLength(int keyLength) => FixedShapeProto.LengthDelimitedFieldLength(keyLength) + 5;

    private static int LegacyContentLength(int keyLength) => KeyAndCodeLength(keyLength) + LegacySplitRegionSize;

    private static int FixedContentLength(int keyLength) => KeyAndCodeLength(keyLength) + FixedShapeProto.LengthDelimitedFieldLength(FixedCiphertextSize) + 5;
}
