using System.Security.Cryptography;
using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Fog.Model.Encoding;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Ledger;
using Fog.Model.Memos;

namespace Fog.Model.Transactions;

/// <summary>An output the sender owns and spends: the TxOut, the subaddress it was paid to, and its membership proof.</summary>
/// <param name="TxOut">The full TxOut as it is in the ledger (with its fog hint).</param>
/// <param name="SubaddressIndex">The sender's subaddress it belongs to.</param>
/// <param name="Proof">Its membership proof.</param>
public sealed record OwnedInput(TxOut TxOut, ulong SubaddressIndex, MembershipProof Proof);

/// <summary>A decoy ring member: a TxOut from the ledger and its membership proof.</summary>
/// <param name="TxOut">The TxOut.</param>
/// <param name="Proof">Its membership proof.</param>
public sealed record Mixin(TxOut TxOut, MembershipProof Proof);

/// <summary>Someone to pay.</summary>
/// <param name="Address">The recipient's public address.</param>
/// <param name="Value">The value, in the token's smallest unit.</param>
/// <param name="FogIngressKey">For a fog recipient, the ingress public key from their validated fog report; null otherwise.</param>
public sealed record Payee(PublicAddress Address, ulong Value, RistrettoPublic? FogIngressKey = null);

/// <summary>Everything a payment needs.</summary>
public sealed record PaymentRequest
{
    /// <summary>The sender's account (it signs and receives the change).</summary>
    public required AccountKey Sender { get; init; }

    /// <summary>The outputs to spend (1 to 16), all of <see cref="TokenId"/>.</summary>
    public required IReadOnlyList<OwnedInput> Inputs { get; init; }

    /// <summary>For each input, <c>RingSize − 1</c> decoys (distinct, not the input itself).</summary>
    public required IReadOnlyList<IReadOnlyList<Mixin>> Mixins { get; init; }

    /// <summary>Who to pay.</summary>
    public required IReadOnlyList<Payee> Payees { get; init; }

    /// <summary>The token paid and spent (the fee is paid in it too).</summary>
    public ulong TokenId { get; init; }

    /// <summary>The fee.</summary>
    public required ulong Fee { get; init; }

    /// <summary>The first block index at which the transaction is no longer valid.</summary>
    public required ulong TombstoneBlock { get; init; }

    /// <summary>The block version to build for (masked amount version, memos, digest).</summary>
    public BlockVersion BlockVersion { get; init; } = BlockVersion.Max;

    /// <summary>If the sender uses fog, the ingress key from the sender's own fog report, so fog finds the change too.</summary>
    public RistrettoPublic? SenderFogIngressKey { get; init; }
}

/// <summary>A built transaction and what it pays.</summary>
/// <param name="Tx">The signed transaction.</param>
/// <param name="PayeeOutputs">The output created for each payee, in request order.</param>
/// <param name="ChangeOutput">The change output (to the sender's change subaddress; possibly of value 0).</param>
public sealed record BuiltTransaction(Tx Tx, IReadOnlyList<TxOut> PayeeOutputs, TxOut ChangeOutput);

/// <summary>
/// Builds RingCT transactions as MobileCoin wallets do: rings of <see cref="RingSize"/> sorted by public key (so the
/// real input sits at a uniformly random position), outputs with fog hints (fake for recipients without fog), masked
/// amounts of the block version, authenticated-sender memos for payees and a destination memo on the change,
/// pseudo-outputs whose blindings balance the outputs', and one MLSAG per input over the signing digest.
/// Range proofs are not produced (see <see cref="IRangeProofVerifier"/>).
/// </summary>
public static class TransactionBuilder
{
    /// <summary>Members per ring.</summary>
    public const int RingSize = 11;

    /// <summary>Most inputs a transaction may have.</summary>
    public const int MaxInputs = 16;

    /// <summary>Most outputs a transaction may have.</summary>
    public const int MaxOutputs = 16;

    /// <summary>Builds and signs the payment.</summary>
    /// <exception cref="ArgumentException">The request is inconsistent (not enough value, wrong ring sizes, an input not owned, a fog payee without an ingress key, …).</exception>
    public static BuiltTransaction Build(PaymentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var version = request.BlockVersion;
        var token = request.TokenId;
        Validate(request);

        // Inputs: rings sorted by public key, the real member's amount and blinding unmasked with a·R.
        var inputs = new List<PreparedInput>();
        try
        {
            for (var i = 0; i < request.Inputs.Count; i++)
            {
                inputs.Add(PrepareInput(request.Sender, request.Inputs[i], request.Mixins[i], token));
            }

            var inputTotal = inputs.Aggregate(0UL, (sum, input) => checked(sum + input.Secret.Amount.Value));
            var payTotal = request.Payees.Aggregate(0UL, (sum, payee) => checked(sum + payee.Value));
            var outlay = checked(payTotal + request.Fee);
            if (inputTotal < outlay)
            {
                throw new ArgumentException($"The inputs hold {inputTotal} but the payment needs {outlay} (payees {payTotal} + fee {request.Fee}).", nameof(request));
            }

            // Outputs, each with its blinding for the balance.
            var outputs = new List<(TxOut TxOut, byte[] Blinding)>();
            var senderAddress = request.Sender.DefaultSubaddress;
            using var senderSpend = request.Sender.SubaddressSpendPrivate(AccountKey.DefaultSubaddressIndex);
            foreach (var payee in request.Payees)
            {
                var hint = HintFor(payee.Address, payee.FogIngressKey);
                outputs.Add(CreateOutput(version, new Amount(payee.Value, token), payee.Address, hint,
                    publicKey => AuthenticatedSenderMemo.Create(senderAddress, senderSpend, payee.Address.ViewPublicKey, publicKey.Span)));
            }

            // Change goes to the change subaddress, but its hint names the default address so one fog account sees both.
            var changeHint = request.SenderFogIngressKey is { } senderIngress ? FogHint.Encrypt(senderIngress, senderAddress.ViewPublicKey) : FogHint.Fake();
            var destination = new DestinationMemo(request.Payees[0].Address.ShortHash, (byte)Math.Min(request.Payees.Count, byte.MaxValue), request.Fee, outlay);
            var change = CreateOutput(version, new Amount(inputTotal - outlay, token), request.Sender.ChangeSubaddress, changeHint, _ => destination.ToPayload());
            outputs.Add(change);

            // Sort inputs by their first ring member, outputs by public key, and sign the prefix.
            var sortedInputs = inputs.OrderBy(i => i.Ring[0].TxOut.PublicKey.ToArray(), ByteOrder.Instance).ToList();
            var sortedOutputs = outputs.OrderBy(o => o.TxOut.PublicKey.ToArray(), ByteOrder.Instance).ToList();
            var prefix = new TxPrefix(
                sortedInputs.Select(p => new TxIn(p.Ring.Select(m => m.TxOut).ToList(), p.Ring.Select(m => m.Proof).ToList())).ToList(),
                sortedOutputs.Select(o => o.TxOut).ToList(),
                request.Fee,
                token,
                request.TombstoneBlock);
            var tx = SignPrefix(version, prefix, sortedInputs.Select(i => i.Secret).ToList(), sortedOutputs.Select(o => o.Blinding).ToList());
            foreach (var (_, blinding) in outputs)
            {
                CryptographicOperations.ZeroMemory(blinding);
            }

            return new BuiltTransaction(tx, outputs.Take(request.Payees.Count).Select(o => o.TxOut).ToList(), change.TxOut);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }
    }

    /// <summary>
    /// Signs a prefix: chooses pseudo-output blindings (random but the last, which makes Σ pseudo blindings equal
    /// Σ <paramref name="outputBlindings"/>; the fee's blinding is 0), commits each input's value under its pseudo
    /// blinding, and makes one MLSAG per input over the signing digest.
    /// </summary>
    internal static Tx SignPrefix(BlockVersion version, TxPrefix prefix, IReadOnlyList<InputSecret> inputs, IReadOnlyList<byte[]> outputBlindings)
    {
        var token = prefix.FeeTokenId;
        var pseudoBlindings = new byte[inputs.Count][];
        var outputSum = new byte[32];
        foreach (var blinding in outputBlindings)
        {
            Ristretto255.ScalarAdd(outputSum, blinding, outputSum);
        }

        var pseudoSum = new byte[32];
        for (var i = 0; i < inputs.Count; i++)
        {
            pseudoBlindings[i] = new byte[32];
            if (i < inputs.Count - 1)
            {
                Ristretto255.RandomScalar(pseudoBlindings[i]);
                Ristretto255.ScalarAdd(pseudoSum, pseudoBlindings[i], pseudoSum);
            }
            else
            {
                Ristretto255.ScalarSubtract(outputSum, pseudoSum, pseudoBlindings[i]);
            }
        }

        try
        {
            var pseudoCommitments = new List<byte[]>();
            for (var i = 0; i < inputs.Count; i++)
            {
                var commitment = new byte[32];
                PedersenGenerators.Commit(inputs[i].Amount.Value, inputs[i].Amount.TokenId, pseudoBlindings[i], commitment);
                pseudoCommitments.Add(commitment);
            }

            var digest = SigningDigest.Compute(version, prefix, pseudoCommitments, [], []);
            var signatures = new List<RingMlsag>();
            for (var i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                signatures.Add(RingMlsag.Sign(digest, prefix.Inputs[i].RingMembers, input.RealIndex, input.OnetimeKey, input.Amount, input.Blinding, pseudoBlindings[i]));
            }

            var mixed = version.MixedTransactionsAreSupported;
            var signature = new SignatureRctBulletproofs(
                signatures,
                pseudoCommitments,
                ReadOnlyMemory<byte>.Empty,
                [],
                mixed ? inputs.Select(i => i.Amount.TokenId).ToList() : [],
                mixed ? prefix.Outputs.Select(_ => token).ToList() : []);
            return new Tx(prefix, signature);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(outputSum);
            CryptographicOperations.ZeroMemory(pseudoSum);
            foreach (var blinding in pseudoBlindings)
            {
                CryptographicOperations.ZeroMemory(blinding);
            }
        }
    }

    private static void Validate(PaymentRequest request)
    {
        if (request.Inputs.Count is < 1 or > MaxInputs)
        {
            throw new ArgumentException($"A transaction spends 1 to {MaxInputs} inputs, not {request.Inputs.Count}.", nameof(request));
        }

        if (request.Payees.Count < 1 || request.Payees.Count + 1 > MaxOutputs)
        {
            throw new ArgumentException($"A transaction pays 1 to {MaxOutputs - 1} payees (plus change), not {request.Payees.Count}.", nameof(request));
        }

        if (request.Mixins.Count != request.Inputs.Count || request.Mixins.Any(m => m.Count != RingSize - 1))
        {
            throw new ArgumentException($"Each input needs exactly {RingSize - 1} mixins.", nameof(request));
        }

        if (request.TokenId != Amount.MobTokenId && !request.BlockVersion.MaskedTokenIdIsSupported)
        {
            throw new ArgumentException($"Block version {request.BlockVersion} supports only token 0.", nameof(request));
        }

        foreach (var payee in request.Payees)
        {
            if (payee.Address.HasFog && payee.FogIngressKey is null)
            {
                throw new ArgumentException($"Payee {payee.Address.ToB58()[..12]}… uses fog: resolve their fog report and pass its ingress key.", nameof(request));
            }
        }
    }

    private static byte[] HintFor(PublicAddress address, RistrettoPublic? ingressKey) =>
        address.HasFog && ingressKey is not null ? FogHint.Encrypt(ingressKey, address.ViewPublicKey) : FogHint.Fake();

    private static (TxOut TxOut, byte[] Blinding) CreateOutput(BlockVersion version, Amount amount, PublicAddress recipient, byte[] hint, Func<ReadOnlyMemory<byte>, MemoPayload> memo)
    {
        using var txKey = RistrettoPrivate.Generate();
        var txOut = TxOut.Create(version, amount, recipient, txKey, hint, memo);
        Span<byte> sharedSecret = stackalloc byte[32];
        var blinding = new byte[32];
        txKey.KeyExchange(recipient.ViewPublicKey, sharedSecret);
        var ok = txOut.MaskedAmount.TryGetValue(sharedSecret, out _, blinding);
        CryptographicOperations.ZeroMemory(sharedSecret);
        return ok ? (txOut, blinding) : throw new InvalidOperationException("A freshly built output did not open under its own shared secret.");
    }

    private static PreparedInput PrepareInput(AccountKey sender, OwnedInput owned, IReadOnlyList<Mixin> mixins, ulong token)
    {
        var realKey = owned.TxOut.PublicKey.ToArray();
        if (mixins.Any(m => m.TxOut.PublicKey.SequenceEqual(realKey)))
        {
            throw new ArgumentException("A mixin is the real input itself.", nameof(mixins));
        }

        var ring = mixins.Append(new Mixin(owned.TxOut, owned.Proof)).OrderBy(m => m.TxOut.PublicKey.ToArray(), ByteOrder.Instance).ToList();
        var realIndex = ring.FindIndex(m => m.TxOut.PublicKey.SequenceEqual(realKey));

        Span<byte> sharedSecret = stackalloc byte[32];
        var blinding = new byte[32];
        try
        {
            if (!owned.TxOut.TryGetSharedSecret(sender.ViewPrivateKey, sharedSecret) ||
                !owned.TxOut.MaskedAmount.TryGetValue(sharedSecret, out var amount, blinding))
            {
                throw new ArgumentException("An input is not owned by the sender (its amount does not open).", nameof(owned));
            }

            if (amount.TokenId != token)
            {
                throw new ArgumentException($"An input holds token {amount.TokenId}, not {token}.", nameof(owned));
            }

            using var spend = sender.SubaddressSpendPrivate(owned.SubaddressIndex);
            var onetime = OnetimeKeys.RecoverOnetimePrivateKey(sharedSecret, spend);
            if (!onetime.PublicKey.Bytes.SequenceEqual(owned.TxOut.TargetKey))
            {
                onetime.Dispose();
                throw new ArgumentException($"An input does not belong to subaddress {owned.SubaddressIndex} of the sender.", nameof(owned));
            }

            return new PreparedInput(ring, new InputSecret(realIndex, onetime, amount, blinding));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    private sealed record PreparedInput(List<Mixin> Ring, InputSecret Secret) : IDisposable
    {
        public void Dispose() => Secret.Dispose();
    }
}

/// <summary>What signing an input needs: the real member's position, its one-time key, amount and blinding.</summary>
internal sealed record InputSecret(int RealIndex, RistrettoPrivate OnetimeKey, Amount Amount, byte[] Blinding) : IDisposable
{
    public void Dispose()
    {
        OnetimeKey.Dispose();
        CryptographicOperations.ZeroMemory(Blinding);
    }
}
