using Google.Protobuf;

namespace Fog.Model.Encoding;

/// <summary>
/// Small helpers over Google.Protobuf's coded streams for the model types whose wire form is hand-written
/// (MobileCoin's prost encoders emit some zero fields proto3 would drop, and some lengths must not depend on
/// values). Field numbers stay with the types that use them.
/// </summary>
internal static class Proto
{
    /// <summary>Serialises with a writer callback into an exact-length array.</summary>
    internal static byte[] Write(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var stream = new CodedOutputStream(buffer);
        write(stream);
        stream.Flush();
        return buffer.ToArray();
    }

    /// <summary>A length-delimited bytes field.</summary>
    internal static void Bytes(CodedOutputStream stream, int field, ReadOnlySpan<byte> value)
    {
        stream.WriteTag(field, WireFormat.WireType.LengthDelimited);
        stream.WriteBytes(ByteString.CopyFrom(value));
    }

    /// <summary>A bytes field, omitted when empty (proto3 default).</summary>
    internal static void BytesIfAny(CodedOutputStream stream, int field, ReadOnlySpan<byte> value)
    {
        if (!value.IsEmpty)
        {
            Bytes(stream, field, value);
        }
    }

    /// <summary>A string field, omitted when empty.</summary>
    internal static void StringIfAny(CodedOutputStream stream, int field, string value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            stream.WriteTag(field, WireFormat.WireType.LengthDelimited);
            stream.WriteString(value);
        }
    }

    /// <summary>An embedded message field holding <paramref name="encoded"/>.</summary>
    internal static void Message(CodedOutputStream stream, int field, ReadOnlySpan<byte> encoded) => Bytes(stream, field, encoded);

    /// <summary>A <c>{ bytes data = 1; }</c> wrapper message field (CompressedRistretto, KeyImage, …), always emitted.</summary>
    internal static void Wrapped(CodedOutputStream stream, int field, ReadOnlySpan<byte> data) =>
        Message(stream, field, WrapData(data));

    /// <summary>The encoding of <c>{ bytes data = 1; }</c>.</summary>
    internal static byte[] WrapData(ReadOnlySpan<byte> data)
    {
        var copy = data.ToArray();
        return Write(s => BytesIfAny(s, 1, copy));
    }

    /// <summary>A fixed64 field, always emitted.</summary>
    internal static void Fixed64(CodedOutputStream stream, int field, ulong value)
    {
        stream.WriteTag(field, WireFormat.WireType.Fixed64);
        stream.WriteFixed64(value);
    }

    /// <summary>A fixed32 field, always emitted.</summary>
    internal static void Fixed32(CodedOutputStream stream, int field, uint value)
    {
        stream.WriteTag(field, WireFormat.WireType.Fixed32);
        stream.WriteFixed32(value);
    }

    /// <summary>A varint uint64 field, omitted when zero.</summary>
    internal static void UInt64IfAny(CodedOutputStream stream, int field, ulong value)
    {
        if (value != 0)
        {
            stream.WriteTag(field, WireFormat.WireType.Varint);
            stream.WriteUInt64(value);
        }
    }

    /// <summary>A varint uint32 field, omitted when zero.</summary>
    internal static void UInt32IfAny(CodedOutputStream stream, int field, uint value)
    {
        if (value != 0)
        {
            stream.WriteTag(field, WireFormat.WireType.Varint);
            stream.WriteUInt32(value);
        }
    }

    /// <summary>
    /// Reads every field of a message, handing (field number, stream) to <paramref name="onField"/>, which must
    /// consume the field's value and return true, or return false to have it skipped. Returns false if the
    /// input is not well-formed protobuf.
    /// </summary>
    internal static bool TryRead(ReadOnlySpan<byte> data, Func<int, WireFormat.WireType, CodedInputStream, bool> onField)
    {
        try
        {
            var input = new CodedInputStream(data.ToArray());
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (!onField(WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag), input))
                {
                    input.SkipLastField();
                }
            }

            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    /// <summary>The <c>data</c> field of a <c>{ bytes data = 1; }</c> wrapper message, or null if malformed.</summary>
    internal static byte[]? UnwrapData(ReadOnlySpan<byte> message)
    {
        byte[] data = [];
        return TryRead(message, (field, wire, input) =>
        {
            if (field == 1 && wire == WireFormat.WireType.LengthDelimited)
            {
                data = input.ReadBytes().ToByteArray();
                return true;
            }

            return false;
        })
            ? data
            : null;
    }
}
