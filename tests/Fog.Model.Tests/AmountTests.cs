using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Transactions;
using Fog.Testing;
using FsCheck.Xunit;

namespace Fog.Model.Tests;

public class AmountTests
{
    [Property(MaxTest = 50)]
    public bool V1_and_V2_round_trip_and_reject_another_secret(ulong value, ulong token, bool v2)
    {
        var version = v2 ? MaskedAmountVersion.V2 : MaskedAmountVersion.V1;
        var secret = RandomPoint();
        var masked = MaskedAmount.Create(version, new Amount(value, token), secret);
        var blinding = new byte[32];
        return masked.TryGetValue(secret, out var amount, blinding) && amount == new Amount(value, token)
            && !masked.TryGetValue(RandomPoint(), out _)
            && MaskedAmount.TryParseProtobuf(version, masked.ToProtobuf(), out var parsed)
            && parsed.ToProtobuf().AsSpan().SequenceEqual(masked.ToProtobuf());
    }

    [Fact]
    public void V2_masking_matches_the_reference_derivation_for_the_first_vector_record()
    {
        // crypto.md §4.5: from the first correct TxOutRecord's shared secret, value 10 of token 0 masks to these.
        var v = Vectors.JsonLines("mobilecoin/tx_out_records/correct_tx_out_records.jsonl")[0];
        using var key = TxOutRecordVectorTests.KeyFromProto(v.Bytes("recipient_view_private_key_hex_proto_bytes"));
        Assert.True(TxOutRecord.TryParseProtobuf(v.Bytes("tx_out_record_hex_proto_bytes"), out var record));
        var secret = new byte[32];
        Assert.True(key.TryKeyExchange(record.PublicKey, secret));
        Assert.StartsWith("a4915d0f", Convert.ToHexStringLower(secret), StringComparison.Ordinal);

        var masked = MaskedAmount.Create(MaskedAmountVersion.V2, new Amount(10, 0), secret);
        Assert.Equal(16746286649543662243UL, masked.MaskedValue);
        Assert.Equal("1001884f422a1cc1", Convert.ToHexStringLower(masked.MaskedTokenId));
        Assert.Equal("942346475da03470abc2a0cec5aaefdb6b7573c18a92cf2674f4db349f18502c", Convert.ToHexStringLower(masked.Commitment));
    }

    [Fact]
    public void Token_generators_match_the_reference_values()
    {
        Assert.Equal("806024d8f41f25e280a0ca45fa2fa28c0529f7b0cbaf182dc195fa23cc58c82b", Convert.ToHexStringLower(PedersenGenerators.ValueGenerator(0)));
        Assert.Equal("6e736cab24540ffd7a74ea23db4d394e3a8290c2d62cf944c56dd63669cc593b", Convert.ToHexStringLower(PedersenGenerators.ValueGenerator(1)));
    }

    [Fact]
    public void Masked_token_id_lengths_are_enforced()
    {
        var secret = RandomPoint();
        Assert.Throws<ArgumentException>(() => MaskedAmount.Create(MaskedAmountVersion.V2, new Amount(1, 0), secret, includeTokenId: false));
        Assert.Throws<ArgumentException>(() => MaskedAmount.Create(MaskedAmountVersion.V1, new Amount(1, 5), secret, includeTokenId: false));
        var legacy = MaskedAmount.Create(MaskedAmountVersion.V1, new Amount(1, 0), secret, includeTokenId: false);
        Assert.True(legacy.TryGetValue(secret, out var amount));
        Assert.Equal(new Amount(1, 0), amount);
        Assert.False(MaskedAmount.TryParseProtobuf(MaskedAmountVersion.V2, legacy.ToProtobuf(), out _));
    }

    [Fact]
    public void Commitments_are_homomorphic()
    {
        // (v1·H + b1·G) + (v2·H + b2·G) = (v1+v2)·H + (b1+b2)·G
        var b1 = new byte[32];
        var b2 = new byte[32];
        Ristretto255.RandomScalar(b1);
        Ristretto255.RandomScalar(b2);
        var c1 = new byte[32];
        var c2 = new byte[32];
        PedersenGenerators.Commit(30, 0, b1, c1);
        PedersenGenerators.Commit(12, 0, b2, c2);
        var sum = new byte[32];
        Ristretto255.Add(c1, c2, sum);
        var b = new byte[32];
        Ristretto255.ScalarAdd(b1, b2, b);
        var expected = new byte[32];
        PedersenGenerators.Commit(42, 0, b, expected);
        Assert.Equal(expected, sum);
    }

    private static byte[] RandomPoint()
    {
        var scalar = new byte[32];
        Ristretto255.RandomScalar(scalar);
        return RistrettoPublic.FromScalarTimesBase(scalar).ToArray();
    }
}
