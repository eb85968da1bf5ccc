namespace Fog.Storage.Recovery;

/// <summary>
/// The stored form of one block's records under one ingress key: the reference's prost message
/// <c>ProtoIngestedBlockData { repeated ETxOutRecord e_tx_out_records = 1; }</c> with
/// <c>ETxOutRecord { bytes search_key = 1; bytes payload = 2; }</c>, both fields always written, in record
/// order. This layout is frozen (a golden test pins it): databases written by one version are read by the next.
/// </summary>
public static class IngestedBlockData
{
    private const byte RecordTag = (1 << 3) | 2;   // field 1, length-delimited
    private const byte SearchKeyTag = (1 << 3) | 2; // field 1, length-delimited
    private const byte PayloadTag = (2 << 3) | 2;   // field 2, length-delimited

    /// <summary>The encoded size of <paramref name="records"/>.</summary>
    public static int GetEncodedLength(IReadOnlyList<ETxOutRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var length = 0L;
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            var inner = RecordBodyLength(record);
            length += 1 + VarintLength((ulong)inner) + inner;
        }

        return length <= Array.MaxLength ? (int)length : throw new ArgumentException("The records are too large for one block.", nameof(records));
    }

    /// <summary>Encodes a block's records.</summary>
    public static byte[] Encode(IReadOnlyList<ETxOutRecord> records)
    {
        var buffer = new byte[GetEncodedLength(records)];
        var position = 0;
        foreach (var record in records)
        {
            buffer[position++] = RecordTag;
            position += WriteVarint(buffer.AsSpan(position), (ulong)RecordBodyLength(record));
            buffer[position++] = SearchKeyTag;
            position += WriteVarint(buffer.AsSpan(position), (ulong)record.SearchKey.Length);
            record.SearchKey.Span.CopyTo(buffer.AsSpan(position));
            position += record.SearchKey.Length;
            buffer[position++] = PayloadTag;
            position += WriteVarint(buffer.AsSpan(position), (ulong)record.Payload.Length);
            record.Payload.Span.CopyTo(buffer.AsSpan(position));
            position += record.Payload.Length;
        }

        return buffer;
    }

    /// <summary>
    /// Decodes a block's records. The records' keys and payloads are slices of <paramref name="encoded"/>,
    /// not copies. Unknown fields are skipped, as protobuf decoders do; a record whose search key is not
    /// 16 bytes, or bytes that are not a well-formed message, make this return false.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> encoded, out ETxOutRecord[] records)
    {
        var list = new List<ETxOutRecord>();
        records = [];
        var span = encoded.Span;
        var position = 0;
        while (position < span.Length)
        {
            if (!TryReadField(span, ref position, out var field, out var wireType, out var start, out var length))
            {
                return false;
            }

            if (field == 1 && wireType == 2)
            {
                if (!TryDecodeRecord(encoded.Slice(start, length), out var record))
                {
                    return false;
                }

                list.Add(record);
            }
        }

        records = [.. list];
        return true;
    }

    private static bool TryDecodeRecord(ReadOnlyMemory<byte> body, out ETxOutRecord record)
    {
        record = null!;
        ReadOnlyMemory<byte> searchKey = default, payload = default;
        var span = body.Span;
        var position = 0;
        while (position < span.Length)
        {
            if (!TryReadField(span, ref position, out var field, out var wireType, out var start, out var length))
            {
                return false;
            }

            // Repeated occurrences of a singular field: the last one wins, as in protobuf.
            if (field == 1 && wireType == 2)
            {
                searchKey = body.Slice(start, length);
            }
            else if (field == 2 && wireType == 2)
            {
                payload = body.Slice(start, length);
            }
        }

        if (searchKey.Length != ETxOutRecord.SearchKeySize)
        {
            return false;
        }

        record = new ETxOutRecord(searchKey, payload);
        return true;
    }

    /// <summary>Reads one field header and skips its value; for length-delimited fields, reports where the value is.</summary>
    private static bool TryReadField(ReadOnlySpan<byte> span, ref int position, out ulong field, out int wireType, out int start, out int length)
    {
        field = 0;
        wireType = 0;
        start = 0;
        length = 0;
        if (!TryReadVarint(span, ref position, out var key))
        {
            return false;
        }

        field = key >> 3;
        wireType = (int)(key & 7);
        if (field == 0)
        {
            return false;
        }

        switch (wireType)
        {
            case 0:
                return TryReadVarint(span, ref position, out _);
            case 1:
                return Skip(span, ref position, 8);
            case 5:
                return Skip(span, ref position, 4);
            case 2:
                if (!TryReadVarint(span, ref position, out var size) || size > (ulong)(span.Length - position))
                {
                    return false;
                }

                start = position;
                length = (int)size;
                position += length;
                return true;
            default:
                return false; // groups (3, 4) and invalid wire types
        }
    }

    private static bool Skip(ReadOnlySpan<byte> span, ref int position, int count)
    {
        if (span.Length - position < count)
        {
            return false;
        }

        position += count;
        return true;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> span, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                return false;
            }

            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return shift < 63 || b <= 1;
            }
        }

        return false;
    }

    private static int RecordBodyLength(ETxOutRecord record) =>
        1 + VarintLength((ulong)record.SearchKey.Length) + record.SearchKey.Length
        + 1 + VarintLength((ulong)record.Payload.Length) + record.Payload.Length;

    private static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = unchecked((byte)(value | 0x80));
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
