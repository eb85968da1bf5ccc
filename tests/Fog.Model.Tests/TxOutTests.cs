using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Memos;
using Fog.Model.Transactions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Fog.Model.Tests;

public class TxOutTests
{
    private static readonly AccountKey Alice = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)7, 32).ToArray());
    private static readonly AccountKey Bob = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)8, 32).ToArray());

    [Property(MaxTest = 25)]
    public bool Created_output_is_recognised_by_its_recipient_only_and_its_key_image_matches(ulong value, ulong token, byte subaddress, bool v2)
    {
        var blockVersion = v2 ? BlockVersion.Three : BlockVersion.Two;
        var recipient = Alice.Subaddress(subaddress);
        using var txKey = RistrettoPrivate.Generate();
        var txOut = TxOut.Create(blockVersion, new Amount(value, token), recipient, txKey, FogHint.Fake());

        using var spend = Alice.SubaddressSpendPrivate(subaddress);
        using var onetime = txOut.RecoverOnetimePrivateKey(Alice.ViewPrivateKey, spend);
        var keyImage = txOut.KeyImage(Alice.ViewPrivateKey, spend);

        return txOut.BelongsTo(Alice, subaddress)
            && !txOut.BelongsTo(Alice, (ulong)subaddress + 1)
            && !txOut.BelongsTo(Bob, subaddress)
            && txOut.TryGetAmount(Alice.ViewPrivateKey, out var amount) && amount == new Amount(value, token)
            && !txOut.TryGetAmount(Bob.ViewPrivateKey, out _)
            && onetime.PublicKey.Bytes.SequenceEqual(txOut.TargetKey)
            && keyImage.Equals(KeyImage.FromOnetimePrivateKey(onetime))
            && txOut.MaskedAmount.Version == (v2 ? MaskedAmountVersion.V2 : MaskedAmountVersion.V1);
    }

    [Fact]
    public void Different_outputs_of_one_account_have_different_key_images()
    {
        using var spend = Alice.SubaddressSpendPrivate(0);
        var images = Enumerable.Range(0, 5).Select(_ =>
        {
            using var txKey = RistrettoPrivate.Generate();
            return TxOut.Create(BlockVersion.Three, new Amount(1, 0), Alice.DefaultSubaddress, txKey, FogHint.Fake()).KeyImage(Alice.ViewPrivateKey, spend);
        }).ToList();
        Assert.Equal(5, images.Distinct().Count());
    }

    [Fact]
    public void Block_version_gates_memo_token_id_and_amount_version()
    {
        using var txKey = RistrettoPrivate.Generate();
        var v0 = TxOut.Create(BlockVersion.Zero, new Amount(5, 0), Alice.DefaultSubaddress, txKey, FogHint.Fake());
        Assert.False(v0.HasMemo);
        Assert.Equal(0, v0.MaskedAmount.MaskedTokenId.Length);
        var v1 = TxOut.Create(BlockVersion.One, new Amount(5, 0), Alice.DefaultSubaddress, txKey, FogHint.Fake());
        Assert.True(v1.HasMemo);
        Assert.Equal(0, v1.MaskedAmount.MaskedTokenId.Length);
        Assert.Throws<ArgumentException>(() => TxOut.Create(BlockVersion.One, new Amount(5, 1), Alice.DefaultSubaddress, txKey, FogHint.Fake()));
        var v3 = TxOut.Create(BlockVersion.Three, new Amount(5, 1), Alice.DefaultSubaddress, txKey, FogHint.Fake());
        Assert.Equal(MaskedAmountVersion.V2, v3.MaskedAmount.Version);
        Assert.Equal(8, v3.MaskedAmount.MaskedTokenId.Length);
        Assert.True(v0.TryGetAmount(Alice.ViewPrivateKey, out var amount0));
        Assert.Equal(new Amount(5, 0), amount0);
    }

    [Property(MaxTest = 25)]
    public bool Protobuf_round_trips_and_hash_is_stable(ulong value, bool v2)
    {
        using var txKey = RistrettoPrivate.Generate();
        var txOut = TxOut.Create(v2 ? BlockVersion.Four : BlockVersion.Two, new Amount(value, 0), Bob.DefaultSubaddress, txKey, FogHint.Fake());
        return TxOut.TryParseProtobuf(txOut.ToProtobuf(), out var parsed)
            && parsed.ToProtobuf().AsSpan().SequenceEqual(txOut.ToProtobuf())
            && parsed.Hash().AsSpan().SequenceEqual(txOut.Hash());
    }

    [Fact]
    public void Hash_depends_on_every_field()
    {
        using var txKey = RistrettoPrivate.Generate();
        var txOut = TxOut.Create(BlockVersion.Three, new Amount(3, 0), Bob.DefaultSubaddress, txKey, FogHint.Fake());
        var hash = txOut.Hash();
        var encoded = txOut.ToProtobuf();
        for (var i = 0; i < encoded.Length; i += 5)
        {
            var tampered = (byte[])encoded.Clone();
            tampered[i] ^= 1;
            if (TxOut.TryParseProtobuf(tampered, out var parsed) && !parsed.ToProtobuf().AsSpan().SequenceEqual(encoded))
            {
                Assert.NotEqual(hash, parsed.Hash());
            }
        }
    }

    [Fact]
    public void Memo_is_encrypted_to_the_recipient_and_an_authenticated_sender_memo_validates()
    {
        var sender = Alice.DefaultSubaddress;
        var recipient = Bob.Subaddress(3);
        using var senderSpend = Alice.SubaddressSpendPrivate(0);
        using var txKey = RistrettoPrivate.Generate();
        var txOut = TxOut.Create(BlockVersion.Three, new Amount(42, 0), recipient, txKey, FogHint.Fake(),
            publicKey => AuthenticatedSenderMemo.Create(sender, senderSpend, recipient.ViewPublicKey, publicKey.Span, paymentRequestId: 77));

        var memo = txOut.DecryptMemo(Bob.ViewPrivateKey)!;
        Assert.Equal(MemoType.AuthenticatedSenderWithPaymentRequestId, memo.Type);
        Assert.Equal(77UL, AuthenticatedSenderMemo.PaymentRequestId(memo));
        using var bobView3 = Bob.SubaddressViewPrivate(3);
        Assert.True(AuthenticatedSenderMemo.Validate(memo, sender, bobView3, txOut.PublicKey));

        // A different claimed sender, receiving key or TxOut fails.
        Assert.False(AuthenticatedSenderMemo.Validate(memo, Bob.DefaultSubaddress, bobView3, txOut.PublicKey));
        using var bobView0 = Bob.SubaddressViewPrivate(0);
        Assert.False(AuthenticatedSenderMemo.Validate(memo, sender, bobView0, txOut.PublicKey));
        Assert.False(AuthenticatedSenderMemo.Validate(memo, sender, bobView3, new byte[32]));

        // Alice cannot read Bob's memo (it decrypts to garbage that is not the memo).
        Assert.NotEqual(memo.Bytes.ToArray(), txOut.DecryptMemo(Alice.ViewPrivateKey)!.Bytes.ToArray());
    }

    [Property(MaxTest = 50)]
    public Property Memo_payload_encrypt_decrypt_round_trips() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>().Filter(b => b.Length == 0 || b.Length > 0), data =>
        {
            var payloadData = new byte[MemoPayload.DataSize];
            data.AsSpan(0, Math.Min(data.Length, 64)).CopyTo(payloadData);
            var payload = new MemoPayload(MemoType.Destination, payloadData);
            var secret = RistrettoPublic.FromScalarTimesBase(new byte[32]).ToArray();
            Random.Shared.NextBytes(secret);
            var encrypted = payload.Encrypt(secret);
            return encrypted.Length == MemoPayload.Size && MemoPayload.Decrypt(secret, encrypted).Bytes.SequenceEqual(payload.Bytes);
        });
}
