using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Memos;
using Fog.Model.Transactions;
using Fog.Testing;

namespace Fog.Model.Tests;

/// <summary>vectors/mobilecoin/tx_out_records/*.</summary>
public class TxOutRecordVectorTests
{
    private const string Correct = "mobilecoin/tx_out_records/correct_tx_out_records.jsonl";
    private const string Incorrect = "mobilecoin/tx_out_records/incorrect_tx_out_records.jsonl";

    public static TheoryData<int> CorrectLines() => Vectors.LineNumbers(Correct);

    public static TheoryData<int> IncorrectLines() => Vectors.LineNumbers(Incorrect);

    /// <summary>The vector key fields hold a <c>RistrettoPrivate { bytes data = 1; }</c> protobuf: 0a 20 ‖ key.</summary>
    internal static RistrettoPrivate KeyFromProto(byte[] proto)
    {
        Assert.Equal(34, proto.Length);
        Assert.Equal(new byte[] { 0x0a, 0x20 }, proto[..2]);
        return RistrettoPrivate.Import(proto[2..]);
    }

    [Theory]
    [MemberData(nameof(CorrectLines))]
    public void Correct_record_recovers_value_10_of_token_0_with_its_indices(int line)
    {
        var v = Vectors.JsonLines(Correct)[line];
        using var key = KeyFromProto(v.Bytes("recipient_view_private_key_hex_proto_bytes"));
        var encoded = v.Bytes("tx_out_record_hex_proto_bytes");
        Assert.Equal(187, encoded.Length);
        Assert.True(TxOutRecord.TryParseProtobuf(encoded, out var record));

        Assert.Equal(TxOutRecordError.None, record.TryRecover(key, out var txOut, out var amount));
        Assert.Equal(new Amount(10, 0), amount);
        Assert.Equal(1UL, record.BlockIndex);
        Assert.Equal(100UL + (ulong)line, record.GlobalIndex);
        Assert.Equal(10UL, record.Timestamp);
        Assert.NotNull(txOut);
        Assert.Equal(MaskedAmountVersion.V1, txOut.MaskedAmount.Version);
        Assert.Equal(new byte[FogHint.Size], txOut.EFogHint.ToArray());
        Assert.Equal(MemoPayload.Unused.Bytes.ToArray(), txOut.DecryptMemo(key)!.Bytes.ToArray());
        Assert.True(txOut.TryGetAmount(key, out var fromTxOut));
        Assert.Equal(amount, fromTxOut);

        // Our encoder reproduces the record byte for byte, and a record rebuilt from the TxOut is the same record.
        Assert.Equal(encoded, record.ToProtobuf());
        Assert.Equal(encoded, TxOutRecord.FromTxOut(txOut, record.GlobalIndex, record.BlockIndex, record.Timestamp).ToProtobuf());

        // The encrypted payload a view server returns is 237 bytes.
        Assert.Equal(237, Crypto.Box.VersionedCryptoBox.CiphertextSize(encoded.Length));
    }

    [Theory]
    [MemberData(nameof(IncorrectLines))]
    public void Record_under_another_key_fails_the_checksum(int line)
    {
        var v = Vectors.JsonLines(Incorrect)[line];
        using var key = KeyFromProto(v.Bytes("spurious_view_private_key_hex_proto_bytes"));
        Assert.True(TxOutRecord.TryParseProtobuf(v.Bytes("tx_out_record_hex_proto_bytes"), out var record));
        Assert.Equal(TxOutRecordError.ChecksumMismatch, record.TryRecover(key, out var txOut, out _));
        Assert.Null(txOut);
    }

    [Fact]
    public void Recipient_of_the_records_is_the_memo_vectors_first_sender()
    {
        // crypto.md §4.1: P − Hs(a·R)·G of every record is the same D₀ (2683…b355), and a·D₀ is that account's C₀.
        foreach (var v in Vectors.JsonLines(Correct))
        {
            using var key = KeyFromProto(v.Bytes("recipient_view_private_key_hex_proto_bytes"));
            Assert.True(TxOutRecord.TryParseProtobuf(v.Bytes("tx_out_record_hex_proto_bytes"), out var record));
            Assert.Equal(TxOutRecordError.None, record.TryRecover(key, out var txOut, out _));
            var spend = txOut!.RecoverSubaddressSpendPublic(key)!;
            Assert.StartsWith("2683a173", spend.ToString(), StringComparison.Ordinal);
            Assert.StartsWith("269f7662", key.MultiplyPoint(spend).ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Malformed_records_are_typed_errors()
    {
        Assert.False(TxOutRecord.TryParseProtobuf([0xff, 0xff, 0xff], out _));
        Assert.False(TxOutRecord.TryParseProtobuf([0x10, 0x01], out _)); // field 2 with the wrong wire type

        using var key = RistrettoPrivate.Generate();
        var shortKeys = new TxOutRecord(1, new byte[31], new byte[32], 0, 0, 0, 0, [], MaskedAmountVersion.V1, new byte[8]);
        Assert.Equal(TxOutRecordError.Malformed, shortKeys.TryRecover(key, out _, out _));
        var badCommitment = new TxOutRecord(1, new byte[32], new byte[32], 0, 0, 0, 0, [], MaskedAmountVersion.V1, new byte[8], new byte[5]);
        Assert.Equal(TxOutRecordError.Malformed, badCommitment.TryRecover(key, out _, out _));
    }
}
