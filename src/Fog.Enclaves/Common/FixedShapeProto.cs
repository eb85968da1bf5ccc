using System.Buffers.Binary;

namespace Fog.Enclaves.Common;

/// <summary>
/// Hand-written protobuf encoding for enclave responses whose shape must not depend on secrets: every field is written
/// at a position and with a length that depend only on public values (key lengths, result counts), and the secret
/// values themselves are written with stores that do not branch on them.
/// </summary>
/// <remarks>
/// Security: the helpers here branch only on their length and tag arguments, which callers must derive from public
/// values. Writing a fixed-width integer is a plain little-endian store whatever its value.
/// </remarks>
internal static class FixedShapeProto
{
    /// <summary>Wire type of varints.</summary>
    internal const int Varint = 0;

    /// <summary>Wire type of fixed64 fields.</summary>
    internal const int Fixed64 = 1;

    /// <summary>Wire type of length-delimited fields.</summary>
    internal const int LengthDelimited = 2;

    /// <summary>Wire type of fixed32 fields.</summary>
    internal const int Fixed32 = 5;

    /// <summary>Bytes the varint encoding of <paramref name="value"/> takes. Public values only.</summary>
    internal static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>Bytes a length-delimited field with a one-byte tag and <paramref name="contentLength"/> bytes of content takes.</summary>
    internal static int LengthDelimitedFieldLength(int contentLength) => 1 + VarintLength((ulong)contentLength) + contentLength;

    /// <summary>Writes a varint of a public value; returns the bytes written.</summary>
    internal static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes a one-byte field tag (field numbers 1 to 15).</summary>
    internal static int WriteTag(Span<byte> destination, int fieldNumber, int wireType)
    {
        destination[0] = (byte)((fieldNumber << 3) | wireType);
        return 1;
    }

    /// <summary>Writes the tag and (public) length prefix of a length-delimited field; returns the bytes written.</summary>
    internal static int WriteLengthPrefix(Span<byte> destination, int fieldNumber, int contentLength)
    {
        var written = WriteTag(destination, fieldNumber, LengthDelimited);
        return written + WriteVarint(destination[written..], (ulong)contentLength);
    }

    /// <summary>Writes a bytes field whose content length is public; returns the bytes written.</summary>
    internal static int WriteBytesField(Span<byte> destination, int fieldNumber, ReadOnlySpan<byte> content)
    {
        var written = WriteLengthPrefix(destination, fieldNumber, content.Length);
        content.CopyTo(destination[written..]);
        return written + content.Length;
    }

    /// <summary>Writes a fixed32 field (tag and 4 bytes, whatever the value).</summary>
    internal static int WriteFixed32Field(Span<byte> destination, int fieldNumber, uint value)
    {
        WriteTag(destination, fieldNumber, Fixed32);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], value);
        return 5;
    }

    /// <summary>Writes a fixed64 field (tag and 8 bytes, whatever the value).</summary>
    internal static int WriteFixed64Field(Span<byte> destination, int fieldNumber, ulong value)
    {
        WriteTag(destination, fieldNumber, Fixed64);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], value);
        return 9;
    }
}
