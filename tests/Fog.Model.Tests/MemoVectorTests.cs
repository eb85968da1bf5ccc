using System.Buffers.Binary;
using Fog.Model.Addresses;
using Fog.Model.Memos;
using Fog.Testing;

namespace Fog.Model.Tests;

/// <summary>
/// vectors/mobilecoin/memos/*. The memo fields hold plaintext memo data (64 bytes) and no TxOut public key is
/// recorded, so what can be checked is the layout and the ShortAddressHash relation (crypto.md §8). The
/// "correct" destination file holds MobileCoin's incorrect variant (a known generator bug), so its relation is
/// asserted as observed.
/// </summary>
public class MemoVectorTests
{
    private static PublicAddress Address(byte[] proto)
    {
        Assert.True(PublicAddress.TryParseProtobuf(proto, out var address));
        return address;
    }

    [Fact]
    public void Sender_memos_name_their_sender()
    {
        foreach (var v in Vectors.JsonLines("mobilecoin/memos/correct_encrypted_sender_memos.jsonl"))
        {
            var memo = new MemoPayload(MemoType.AuthenticatedSender, v.Bytes("encrypted_sender_memo_hex_raw_bytes"));
            Assert.Equal(Address(v.Bytes("sender_public_address_hex_proto_bytes")).ShortHash, AuthenticatedSenderMemo.ClaimedSender(memo));
        }
    }

    [Fact]
    public void Swapped_sender_memos_do_not_name_the_given_sender()
    {
        foreach (var v in Vectors.JsonLines("mobilecoin/memos/incorrect_encrypted_sender_memos.jsonl"))
        {
            var memo = new MemoPayload(MemoType.AuthenticatedSender, v.Bytes("encrypted_sender_memo_hex_raw_bytes"));
            Assert.NotEqual(Address(v.Bytes("incorrect_sender_public_address_hex_proto_bytes")).ShortHash, AuthenticatedSenderMemo.ClaimedSender(memo));
        }
    }

    [Fact]
    public void Payment_request_memos_name_their_sender_and_carry_the_id()
    {
        foreach (var v in Vectors.JsonLines("mobilecoin/memos/correct_encrypted_sender_with_payment_request_id_memos.jsonl"))
        {
            var memo = new MemoPayload(MemoType.AuthenticatedSenderWithPaymentRequestId, v.Bytes("encrypted_sender_with_payment_request_id_memo_hex_raw_bytes"));
            Assert.Equal(Address(v.Bytes("sender_public_address_hex_proto_bytes")).ShortHash, AuthenticatedSenderMemo.ClaimedSender(memo));
            Assert.Equal(v.U64("payment_request_id"), AuthenticatedSenderMemo.PaymentRequestId(memo));
        }

        foreach (var v in Vectors.JsonLines("mobilecoin/memos/incorrect_encrypted_sender_with_payment_request_id_memos.jsonl"))
        {
            var memo = new MemoPayload(MemoType.AuthenticatedSenderWithPaymentRequestId, v.Bytes("encrypted_sender_with_payment_request_id_memo_hex_raw_bytes"));
            Assert.NotEqual(Address(v.Bytes("incorrect_sender_public_address_hex_proto_bytes")).ShortHash, AuthenticatedSenderMemo.ClaimedSender(memo));
        }
    }

    [Fact]
    public void Destination_memos_have_the_layout_and_the_observed_hash_relation()
    {
        foreach (var v in Vectors.JsonLines("mobilecoin/memos/correct_encrypted_destination_memos.jsonl"))
        {
            var data = v.Bytes("encrypted_destination_memo_hex_raw_bytes");
            var memo = DestinationMemo.FromPayload(new MemoPayload(MemoType.Destination, data))!;
            Assert.Equal(1, memo.NumberOfRecipients);
            Assert.Equal(v.U64("fee"), memo.Fee);
            Assert.Equal(v.U64("total_outlay"), memo.TotalOutlay);
            Assert.Equal(data, memo.ToPayload().Data.ToArray());

            // The file holds the incorrect variant: the memo names the "sender" address, not the given recipient hash.
            Assert.Equal(Address(v.Bytes("sender_public_address_hex_proto_bytes")).ShortHash, memo.Recipient);
            Assert.NotEqual(new ShortAddressHash(v.Bytes("recipient_short_address_hash_hex_raw_bytes")), memo.Recipient);
        }
    }

    [Fact]
    public void Destination_memo_fee_is_56_bits_big_endian()
    {
        var memo = new DestinationMemo(new ShortAddressHash(new byte[16]), 2, 0x00AB_CDEF_0123_4567, 99).ToPayload();
        Assert.Equal(0x00AB_CDEF_0123_4567UL, BinaryPrimitives.ReadUInt64BigEndian(memo.Data[16..24]) & DestinationMemo.MaxFee);
        Assert.Throws<InvalidOperationException>(() => new DestinationMemo(new ShortAddressHash(new byte[16]), 1, DestinationMemo.MaxFee + 1, 0).ToPayload());
    }
}
