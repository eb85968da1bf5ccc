using System.Buffers.Binary;
using Fog.Model.Addresses;

namespace Fog.Model.Memos;

/// <summary>
/// The destination memo (0x0200) a sender writes on its change output: data[0..16] the recipient's short
/// address hash, [16] the number of recipients, [17..24] the fee as a 56-bit big-endian integer, [24..32] the
/// total outlay (amount sent plus fee), big-endian. It has no HMAC: only the sender reads it.
/// </summary>
public sealed record DestinationMemo(ShortAddressHash Recipient, byte NumberOfRecipients, ulong Fee, ulong TotalOutlay)
{
    /// <summary>The largest fee the 56-bit field holds.</summary>
    public const ulong MaxFee = (1UL << 56) - 1;

    /// <summary>The memo payload.</summary>
    public MemoPayload ToPayload()
    {
        if (Fee > MaxFee)
        {
            throw new InvalidOperationException("The fee does not fit the destination memo's 56-bit field.");
        }

        var data = new byte[MemoPayload.DataSize];
        Recipient.Bytes.CopyTo(data);
        data[16] = NumberOfRecipients;
        Span<byte> fee = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(fee, Fee);
        fee[1..].CopyTo(data.AsSpan(17));
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(24), TotalOutlay);
        return new MemoPayload(MemoType.Destination, data);
    }

    /// <summary>Reads a destination memo; null if the payload is another type.</summary>
    public static DestinationMemo? FromPayload(MemoPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Type != MemoType.Destination)
        {
            return null;
        }

        var data = payload.Data;
        Span<byte> fee = stackalloc byte[8];
        data[17..24].CopyTo(fee[1..]);
        return new DestinationMemo(
            new ShortAddressHash(data[..16]),
            data[16],
            BinaryPrimitives.ReadUInt64BigEndian(fee),
            BinaryPrimitives.ReadUInt64BigEndian(data[24..32]));
    }
}
