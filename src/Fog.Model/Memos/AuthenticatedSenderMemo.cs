using System.Buffers.Binary;
using System.Security.Cryptography;
using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;

namespace Fog.Model.Memos;

/// <summary>
/// Category-1 authenticated sender memos: data[0..16] is the sender's short address hash, data[16..48] carries
/// type-specific data (for 0x0101, a payment request id, big-endian u64, at [16..24]), and data[48..64] is the
/// first 16 bytes of HMAC-SHA512(key = DH(sender's spend key, recipient's view public key),
/// "mc-memo-mac" ‖ TxOut public key ‖ type ‖ data[0..48]).
/// </summary>
public static class AuthenticatedSenderMemo
{
    private const int HmacOffset = 48;
    private const int HmacSize = 16;

    /// <summary>
    /// Builds a sender memo. <paramref name="senderSpendPrivate"/> is the spend key of the sender subaddress whose
    /// address <paramref name="sender"/> is; <paramref name="recipientViewPublic"/> the recipient's view public key.
    /// </summary>
    public static MemoPayload Create(
        PublicAddress sender,
        RistrettoPrivate senderSpendPrivate,
        RistrettoPublic recipientViewPublic,
        ReadOnlySpan<byte> txOutPublicKey,
        ulong? paymentRequestId = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(senderSpendPrivate);
        var type = paymentRequestId is null ? MemoType.AuthenticatedSender : MemoType.AuthenticatedSenderWithPaymentRequestId;
        var data = new byte[MemoPayload.DataSize];
        sender.ShortHash.Bytes.CopyTo(data);
        if (paymentRequestId is { } id)
        {
            BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(16), id);
        }

        Span<byte> key = stackalloc byte[32];
        try
        {
            senderSpendPrivate.KeyExchange(recipientViewPublic, key);
            ComputeHmac(key, txOutPublicKey, type, data, data.AsSpan(HmacOffset));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return new MemoPayload(type, data);
    }

    /// <summary>The sender's short address hash a memo claims.</summary>
    public static ShortAddressHash ClaimedSender(MemoPayload memo)
    {
        ArgumentNullException.ThrowIfNull(memo);
        return new ShortAddressHash(memo.Data[..ShortAddressHash.Size]);
    }

    /// <summary>The payment request id of a 0x0101 memo.</summary>
    public static ulong PaymentRequestId(MemoPayload memo)
    {
        ArgumentNullException.ThrowIfNull(memo);
        return BinaryPrimitives.ReadUInt64BigEndian(memo.Data[16..24]);
    }

    /// <summary>
    /// The recipient's check: the memo names <paramref name="sender"/> and its HMAC verifies with
    /// DH(the receiving subaddress's view private key, the sender's spend public key).
    /// </summary>
    public static bool Validate(MemoPayload memo, PublicAddress sender, RistrettoPrivate receivingSubaddressViewPrivate, ReadOnlySpan<byte> txOutPublicKey)
    {
        ArgumentNullException.ThrowIfNull(memo);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(receivingSubaddressViewPrivate);
        if (memo.Type is not (MemoType.AuthenticatedSender or MemoType.AuthenticatedSenderWithPaymentRequestId or MemoType.AuthenticatedSenderWithPaymentIntentId))
        {
            return false;
        }

        Span<byte> key = stackalloc byte[32];
        Span<byte> expected = stackalloc byte[HmacSize];
        try
        {
            receivingSubaddressViewPrivate.KeyExchange(sender.SpendPublicKey, key);
            ComputeHmac(key, txOutPublicKey, memo.Type, memo.Data, expected);
            var hashMatches = memo.Data[..ShortAddressHash.Size].SequenceEqual(sender.ShortHash.Bytes);
            return CryptographicOperations.FixedTimeEquals(expected, memo.Data[HmacOffset..]) & hashMatches;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static void ComputeHmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> txOutPublicKey, MemoType type, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (txOutPublicKey.Length != 32)
        {
            throw new ArgumentException("A TxOut public key is 32 bytes.", nameof(txOutPublicKey));
        }

        Span<byte> message = stackalloc byte[11 + 32 + 2 + HmacOffset];
        "mc-memo-mac"u8.CopyTo(message);
        txOutPublicKey.CopyTo(message[11..]);
        BinaryPrimitives.WriteUInt16BigEndian(message[43..], (ushort)type);
        data[..HmacOffset].CopyTo(message[45..]);
        Span<byte> mac = stackalloc byte[64];
        HMACSHA512.HashData(key, message, mac);
        mac[..HmacSize].CopyTo(output);
        CryptographicOperations.ZeroMemory(mac);
    }
}
