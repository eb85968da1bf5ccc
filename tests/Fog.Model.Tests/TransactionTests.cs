using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Fog.Model.Encoding;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Ledger;
using Fog.Model.Memos;
using Fog.Model.Transactions;

namespace Fog.Model.Tests;

/// <summary>Building, recognising and validating RingCT transactions; each rule broken alone yields its code.</summary>
public class TransactionTests : IDisposable
{
    private const ulong Fee = 400_000_000;
    private static readonly BlockVersion Version = BlockVersion.Three;
    private static readonly TxValidationOptions Options = new() { RangeProofs = new UncheckedRangeProofs() };

    private readonly AccountKey _alice = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)11, 32).ToArray());
    private readonly AccountKey _bob = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)12, 32).ToArray());
    private readonly InMemoryLedger _ledger = new();
    private readonly List<int> _aliceOutputs = [];

    public TransactionTests()
    {
        // The origin block: 30 strangers' outputs, then Alice's three interleaved with more strangers'.
        var outputs = Enumerable.Range(0, 30).Select(_ => StrangerOutput()).ToList();
        foreach (var value in new ulong[] { 5_000_000_000, 3_000_000_000, 2_000_000_000 })
        {
            using var txKey = RistrettoPrivate.Generate();
            _aliceOutputs.Add(outputs.Count);
            outputs.Add(TxOut.Create(Version, new Amount(value, 0), _alice.DefaultSubaddress, txKey, FogHint.Fake()));
            outputs.Add(StrangerOutput());
        }

        _ledger.AppendContents(new BlockContents([], outputs));
    }

    /// <summary>Appends a block spending <paramref name="keyImage"/> (or a random one) and creating <paramref name="output"/> (or a stranger's).</summary>
    private void AppendBlock(KeyImage? keyImage = null, TxOut? output = null) =>
        _ledger.AppendContents(new BlockContents(
            [keyImage ?? new KeyImage(RistrettoPublic.FromScalarTimesBase(RandomScalar()).Bytes)],
            [output ?? StrangerOutput()]));

    private static byte[] RandomScalar()
    {
        var scalar = new byte[32];
        Ristretto255.RandomScalar(scalar);
        return scalar;
    }

    private static TxOut StrangerOutput()
    {
        using var stranger = AccountKey.FromRootEntropy(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var txKey = RistrettoPrivate.Generate();
        return TxOut.Create(Version, new Amount(1000, 0), stranger.DefaultSubaddress, txKey, FogHint.Fake());
    }

    private MembershipProof Prove(int index) => _ledger.GetMembershipProof((ulong)index);

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }

    private PaymentRequest Request(int inputCount = 1, ulong pay = 1_000_000_000, ulong fee = Fee, ulong? tombstone = null, BlockVersion? version = null)
    {
        var inputs = _aliceOutputs.Take(inputCount).Select(i => new OwnedInput(_ledger.Outputs[i], 0, Prove(i))).ToList();
        var used = new HashSet<int>(_aliceOutputs);
        var mixins = new List<IReadOnlyList<Mixin>>();
        var next = 0;
        for (var i = 0; i < inputCount; i++)
        {
            var ring = new List<Mixin>();
            while (ring.Count < TransactionBuilder.RingSize - 1)
            {
                if (used.Add(next))
                {
                    ring.Add(new Mixin(_ledger.Outputs[next], Prove(next)));
                }

                next++;
            }

            mixins.Add(ring);
        }

        return new PaymentRequest
        {
            Sender = _alice,
            Inputs = inputs,
            Mixins = mixins,
            Payees = [new Payee(_bob.DefaultSubaddress, pay)],
            Fee = fee,
            TombstoneBlock = tombstone ?? _ledger.NumBlocks + 50,
            BlockVersion = version ?? Version,
        };
    }

    private TxValidationResult Validate(Tx tx, BlockVersion? version = null) => TransactionValidator.Validate(tx, version ?? Version, _ledger, Options);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Built_transaction_validates(int inputs)
    {
        var built = TransactionBuilder.Build(Request(inputs));
        Assert.Equal(TxValidationResult.Ok, Validate(built.Tx));
        Assert.True(Tx.TryParseProtobuf(built.Tx.ToProtobuf(), out var parsed));
        Assert.Equal(TxValidationResult.Ok, Validate(parsed));
        Assert.Equal(built.Tx.Hash(), parsed.Hash());
    }

    [Fact]
    public void Block_version_two_transaction_validates()
    {
        var built = TransactionBuilder.Build(Request(2, version: BlockVersion.Two));
        Assert.Equal(TxValidationResult.Ok, Validate(built.Tx, BlockVersion.Two));

        // At version 3 the signature must carry token ids; a version-2 transaction does not.
        Assert.Equal(TxValidationResult.InsufficientInputSignatures, Validate(built.Tx, BlockVersion.Three));
    }

    [Fact]
    public void Recipient_finds_amount_and_authenticated_sender_and_sender_finds_change_with_destination()
    {
        var built = TransactionBuilder.Build(Request(2, pay: 6_000_000_000));
        var toBob = built.PayeeOutputs[0];
        Assert.True(toBob.BelongsTo(_bob, 0));
        Assert.True(toBob.TryGetAmount(_bob.ViewPrivateKey, out var received));
        Assert.Equal(new Amount(6_000_000_000, 0), received);
        var memo = toBob.DecryptMemo(_bob.ViewPrivateKey)!;
        Assert.Equal(MemoType.AuthenticatedSender, memo.Type);
        using var bobView = _bob.SubaddressViewPrivate(0);
        Assert.True(AuthenticatedSenderMemo.Validate(memo, _alice.DefaultSubaddress, bobView, toBob.PublicKey));

        var change = built.ChangeOutput;
        Assert.True(change.BelongsTo(_alice, AccountKey.ChangeSubaddressIndex));
        Assert.True(change.TryGetAmount(_alice.ViewPrivateKey, out var changeAmount));
        Assert.Equal(5_000_000_000UL + 3_000_000_000 - 6_000_000_000 - Fee, changeAmount.Value);
        var destination = DestinationMemo.FromPayload(change.DecryptMemo(_alice.ViewPrivateKey)!)!;
        Assert.Equal(_bob.DefaultSubaddress.ShortHash, destination.Recipient);
        Assert.Equal(Fee, destination.Fee);
        Assert.Equal(6_000_000_000 + Fee, destination.TotalOutlay);

        Assert.False(change.BelongsTo(_bob, 0));
        Assert.False(toBob.BelongsTo(_alice, 0));
    }

    [Fact]
    public void Fog_recipients_get_hints_their_ingest_decrypts()
    {
        using var ingress = RistrettoPrivate.Generate();
        var fogBob = new PublicAddress(_bob.DefaultSubaddress.ViewPublicKey, _bob.DefaultSubaddress.SpendPublicKey, "fog://fog.example.com");
        var request = Request() with { Payees = [new Payee(fogBob, 1, ingress.PublicKey)], SenderFogIngressKey = ingress.PublicKey };
        var built = TransactionBuilder.Build(request);
        var view = new byte[32];
        Assert.True(FogHint.TryDecrypt(ingress, built.PayeeOutputs[0].EFogHint, view));
        Assert.Equal(_bob.DefaultSubaddress.ViewPublicKey.ToArray(), view);
        Assert.True(FogHint.TryDecrypt(ingress, built.ChangeOutput.EFogHint, view));
        Assert.Equal(_alice.DefaultSubaddress.ViewPublicKey.ToArray(), view); // change names the default address
    }

    [Fact]
    public void Fog_payee_without_an_ingress_key_and_insufficient_funds_are_refused_clearly()
    {
        var fogBob = new PublicAddress(_bob.DefaultSubaddress.ViewPublicKey, _bob.DefaultSubaddress.SpendPublicKey, "fog://fog.example.com");
        var error = Assert.Throws<ArgumentException>(() => TransactionBuilder.Build(Request() with { Payees = [new Payee(fogBob, 1)] }));
        Assert.Contains("fog report", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => TransactionBuilder.Build(Request(pay: 5_000_000_000)));
        Assert.Contains("needs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_signature_is_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        var sig = tx.Signature.RingSignatures[0];
        var responses = sig.Responses.Select(r => (byte[])r.Clone()).ToList();
        Ristretto255.ScalarAdd(responses[3], Scalar(1), responses[3]);
        var tampered = WithSignatures(tx, [new RingMlsag(sig.CZero, responses, sig.KeyImage)]);
        Assert.Equal(TxValidationResult.InvalidTransactionSignature, Validate(tampered));
    }

    [Fact]
    public void Duplicated_key_image_is_rejected()
    {
        var tx = TransactionBuilder.Build(Request(2)).Tx;
        var first = tx.Signature.RingSignatures[0];
        var second = tx.Signature.RingSignatures[1];
        var duplicated = WithSignatures(tx, [first, new RingMlsag(second.CZero, second.Responses, first.KeyImage)]);
        Assert.Equal(TxValidationResult.DuplicateKeyImages, Validate(duplicated));
    }

    [Fact]
    public void Already_spent_key_image_is_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        AppendBlock(keyImage: tx.KeyImages[0]);
        Assert.Equal(TxValidationResult.ContainsSpentKeyImage, Validate(tx));
    }

    [Fact]
    public void Output_key_already_in_the_ledger_is_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        AppendBlock(output: tx.Prefix.Outputs[0]);
        Assert.Equal(TxValidationResult.ContainsExistingOutputPublicKey, Validate(tx));
    }

    [Fact]
    public void Proof_against_the_wrong_root_is_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        var input = tx.Prefix.Inputs[0];
        var proofs = input.Proofs.ToList();
        var proof = proofs[4];
        var elements = proof.Elements.ToList();
        var hash = elements[2].Hash.ToArray();
        hash[0] ^= 1;
        elements[2] = new MembershipElement(elements[2].Range, hash);
        proofs[4] = new MembershipProof(proof.Index, proof.HighestIndex, elements);
        Assert.Equal(TxValidationResult.InvalidTxOutMembershipProof, Validate(WithInputs(tx, [new TxIn(input.Ring, proofs)])));

        // A proof for a tree the ledger never had.
        proofs[4] = new MembershipProof(proof.Index, (ulong)_ledger.Outputs.Count + 5, proof.Elements);
        Assert.Equal(TxValidationResult.InvalidTxOutMembershipProof, Validate(WithInputs(tx, [new TxIn(input.Ring, proofs)])));
    }

    [Fact]
    public void Unbalanced_amounts_are_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        var p = tx.Prefix;
        var unbalanced = new Tx(new TxPrefix(p.Inputs, p.Outputs, p.Fee + 1, p.FeeTokenId, p.TombstoneBlock), tx.Signature);
        Assert.Equal(TxValidationResult.ValueNotConserved, Validate(unbalanced));
    }

    [Fact]
    public void Wrong_ring_sizes_are_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        var input = tx.Prefix.Inputs[0];
        var real = RealIndex(input);
        var drop = real == 0 ? 1 : 0;
        var smaller = new TxIn(input.Ring.Where((_, i) => i != drop).ToList(), input.Proofs.Where((_, i) => i != drop).ToList());
        Assert.Equal(TxValidationResult.InsufficientRingSize, Validate(WithInputs(tx, [smaller])));

        var extra = _ledger.Outputs.Count - 1;
        var bigger = new TxIn(input.Ring.Append(_ledger.Outputs[extra]).ToList(), input.Proofs.Append(Prove(extra)).ToList());
        Assert.Equal(TxValidationResult.ExcessiveRingSize, Validate(WithInputs(tx, [bigger])));
    }

    [Fact]
    public void Unsorted_ring_is_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        var input = tx.Prefix.Inputs[0];
        var ring = input.Ring.ToList();
        var proofs = input.Proofs.ToList();
        (ring[0], ring[1]) = (ring[1], ring[0]);
        (proofs[0], proofs[1]) = (proofs[1], proofs[0]);
        Assert.Equal(TxValidationResult.UnsortedRingElements, Validate(Resign(tx, WithInputs(tx, [new TxIn(ring, proofs)]).Prefix)));
    }

    [Fact]
    public void Unsorted_inputs_are_rejected()
    {
        var tx = TransactionBuilder.Build(Request(2)).Tx;
        var p = tx.Prefix;
        var swapped = new TxPrefix([p.Inputs[1], p.Inputs[0]], p.Outputs, p.Fee, p.FeeTokenId, p.TombstoneBlock);
        Assert.Equal(TxValidationResult.UnsortedInputs, Validate(Resign(tx, swapped)));
    }

    [Fact]
    public void Unsorted_outputs_are_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        var p = tx.Prefix;
        var swapped = new TxPrefix(p.Inputs, p.Outputs.Reverse().ToList(), p.Fee, p.FeeTokenId, p.TombstoneBlock);
        Assert.Equal(TxValidationResult.UnsortedOutputs, Validate(Resign(tx, swapped)));
    }

    [Fact]
    public void Duplicated_output_key_is_rejected()
    {
        // Two identical outputs to Bob (same transaction key), re-signed so that only this rule breaks.
        var tx = TransactionBuilder.Build(Request(pay: 1_000_000_000)).Tx;
        var p = tx.Prefix;
        using var txKey = RistrettoPrivate.Generate();
        var twin = TxOut.Create(Version, new Amount(500_000_000, 0), _bob.DefaultSubaddress, txKey, FogHint.Fake());
        var change = p.Outputs.Single(o => o.BelongsTo(_alice, AccountKey.ChangeSubaddressIndex));
        var outputs = new[] { twin, twin, change }.OrderBy(o => o.PublicKey.ToArray(), ByteOrder.Instance).ToList();
        var duplicated = new TxPrefix(p.Inputs, outputs, p.Fee, p.FeeTokenId, p.TombstoneBlock);
        Assert.Equal(TxValidationResult.DuplicateOutputPublicKey, Validate(Resign(tx, duplicated)));
    }

    [Fact]
    public void Expired_and_too_distant_tombstones_are_rejected()
    {
        Assert.Equal(TxValidationResult.TombstoneBlockExceeded, Validate(TransactionBuilder.Build(Request(tombstone: _ledger.NumBlocks)).Tx));
        Assert.Equal(TxValidationResult.TombstoneBlockTooFar, Validate(TransactionBuilder.Build(Request(tombstone: _ledger.NumBlocks + 20161)).Tx));
        Assert.Equal(TxValidationResult.Ok, Validate(TransactionBuilder.Build(Request(tombstone: _ledger.NumBlocks + 20160)).Tx));
    }

    [Fact]
    public void Low_fee_is_rejected()
    {
        Assert.Equal(TxValidationResult.TxFeeError, Validate(TransactionBuilder.Build(Request(fee: Fee - 1)).Tx));
    }

    [Fact]
    public void Input_and_output_counts_are_enforced()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        var p = tx.Prefix;
        Assert.Equal(TxValidationResult.NoInputs, Validate(new Tx(new TxPrefix([], p.Outputs, p.Fee, 0, p.TombstoneBlock), tx.Signature)));
        Assert.Equal(TxValidationResult.NoOutputs, Validate(new Tx(new TxPrefix(p.Inputs, [], p.Fee, 0, p.TombstoneBlock), tx.Signature)));
        var seventeen = Enumerable.Repeat(p.Outputs[0], 17).ToList();
        Assert.Equal(TxValidationResult.TooManyOutputs, Validate(new Tx(new TxPrefix(p.Inputs, seventeen, p.Fee, 0, p.TombstoneBlock), tx.Signature)));
    }

    [Fact]
    public void Missing_memo_is_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        var p = tx.Prefix;
        var outputs = p.Outputs.Select(o => new TxOut(o.MaskedAmount, o.TargetKey, o.PublicKey, o.EFogHint, [])).ToList();
        var prefix = new TxPrefix(p.Inputs, outputs, p.Fee, p.FeeTokenId, p.TombstoneBlock);
        Assert.Equal(TxValidationResult.MissingMemo, Validate(Resign(tx, prefix)));
    }

    [Fact]
    public void Any_single_byte_flip_of_a_signature_or_key_image_is_rejected()
    {
        var tx = TransactionBuilder.Build(Request()).Tx;
        var sig = tx.Signature.RingSignatures[0];
        var real = RealIndex(tx.Prefix.Inputs[0]);
        var decoy = (real + 1) % TransactionBuilder.RingSize;

        // Every byte of c₀, of the key image, of both real responses and of one decoy response.
        var targets = new[] { -1, -2, 2 * real, (2 * real) + 1, 2 * decoy };
        foreach (var target in targets)
        {
            for (var position = 0; position < 32; position++)
            {
                var cZero = sig.CZero.ToArray();
                var responses = sig.Responses.Select(r => (byte[])r.Clone()).ToList();
                var keyImage = sig.KeyImage.ToArray();
                var bytes = target switch { -1 => cZero, -2 => keyImage, _ => responses[target] };
                bytes[position] ^= 0x01;
                var result = Validate(WithSignatures(tx, [new RingMlsag(cZero, responses, new KeyImage(keyImage))]));
                Assert.True(result != TxValidationResult.Ok, $"flipping byte {position} of target {target} was accepted");
            }
        }
    }

    [Fact]
    public void Random_payments_build_and_validate()
    {
        var random = new Random(1234);
        for (var round = 0; round < 4; round++)
        {
            var inputs = random.Next(1, 4);
            var available = new ulong[] { 5_000_000_000, 3_000_000_000, 2_000_000_000 }.Take(inputs).Aggregate(0UL, (a, b) => a + b);
            var fee = Fee + (ulong)random.Next(0, 1000);
            var pay = (ulong)random.NextInt64(1, (long)(available - fee));
            var built = TransactionBuilder.Build(Request(inputs, pay, fee));
            Assert.Equal(TxValidationResult.Ok, Validate(built.Tx));
            Assert.True(built.PayeeOutputs[0].TryGetAmount(_bob.ViewPrivateKey, out var received));
            Assert.Equal(pay, received.Value);
        }
    }

    private static byte[] Scalar(ulong value)
    {
        var scalar = new byte[32];
        Ristretto255.ScalarFromUInt64(value, scalar);
        return scalar;
    }

    private static Tx WithSignatures(Tx tx, IReadOnlyList<RingMlsag> signatures)
    {
        var s = tx.Signature;
        return new Tx(tx.Prefix, new SignatureRctBulletproofs(signatures, s.PseudoOutputCommitments, s.RangeProofBytes, s.RangeProofs, s.PseudoOutputTokenIds, s.OutputTokenIds));
    }

    private static Tx WithInputs(Tx tx, IReadOnlyList<TxIn> inputs)
    {
        var p = tx.Prefix;
        return new Tx(new TxPrefix(inputs, p.Outputs, p.Fee, p.FeeTokenId, p.TombstoneBlock), tx.Signature);
    }

    private int RealIndex(TxIn input)
    {
        for (var i = 0; i < input.Ring.Count; i++)
        {
            if (input.Ring[i].BelongsTo(_alice, 0))
            {
                return i;
            }
        }

        throw new InvalidOperationException("No owned member in the ring.");
    }

    /// <summary>Signs a modified prefix with the keys of everyone involved, so only the modification is wrong.</summary>
    private Tx Resign(Tx original, TxPrefix prefix)
    {
        var secrets = new List<InputSecret>();
        foreach (var input in prefix.Inputs)
        {
            var real = RealIndex(input);
            var member = input.Ring[real];
            var blinding = new byte[32];
            var secret = new byte[32];
            Assert.True(member.TryGetSharedSecret(_alice.ViewPrivateKey, secret));
            Assert.True(member.MaskedAmount.TryGetValue(secret, out var amount, blinding));
            using var spend = _alice.SubaddressSpendPrivate(0);
            secrets.Add(new InputSecret(real, member.RecoverOnetimePrivateKey(_alice.ViewPrivateKey, spend), amount, blinding));
        }

        var outputBlindings = prefix.Outputs.Select(o =>
        {
            var owner = o.TryGetAmount(_bob.ViewPrivateKey, out _) ? _bob : _alice;
            var secret = new byte[32];
            var blinding = new byte[32];
            Assert.True(o.TryGetSharedSecret(owner.ViewPrivateKey, secret));
            Assert.True(o.MaskedAmount.TryGetValue(secret, out _, blinding));
            return blinding;
        }).ToList();
        Assert.NotNull(original);
        return TransactionBuilder.SignPrefix(Version, prefix, secrets, outputBlindings);
    }
}
