using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Fog.Model.Keys;
using Fog.Model.Ledger;
using Fog.Model.Transactions;

namespace Fog.Node;

/// <summary>
/// The faucet's view of the ledger: which outputs it owns and has not spent, found by scanning every block with its
/// view key, and payments built from them. Outputs in a payment not yet in a block are reserved so concurrent payments
/// do not spend them twice. Not thread-safe: the node serialises calls.
/// </summary>
internal sealed class FaucetWallet : IDisposable
{
    private readonly AccountKey _account;
    private readonly Dictionary<ulong, Owned> _unspent = [];
    private readonly HashSet<ulong> _reserved = [];

    private readonly (ulong Index, RistrettoPublic SpendPublic)[] _subaddresses;

    internal FaucetWallet(AccountKey account)
    {
        _account = account;
        _subaddresses = [.. new[] { AccountKey.DefaultSubaddressIndex, AccountKey.ChangeSubaddressIndex }.Select(i => (i, account.Subaddress(i).SpendPublicKey))];
    }

    /// <summary>The faucet's public address.</summary>
    internal PublicAddress Address => _account.DefaultSubaddress;

    /// <summary>Total value of unspent, unreserved outputs of a token.</summary>
    internal ulong Balance(ulong tokenId) =>
        _unspent.Where(p => !_reserved.Contains(p.Key) && p.Value.Amount.TokenId == tokenId).Aggregate(0UL, (sum, p) => checked(sum + p.Value.Amount.Value));

    /// <summary>Records the faucet's new outputs and spent key images of a block whose first output has global index <paramref name="firstGlobalIndex"/>.</summary>
    internal void Scan(BlockData block, ulong firstGlobalIndex)
    {
        var spent = block.Contents.KeyImages.Select(k => k.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var (index, owned) in _unspent.Where(p => spent.Contains(p.Value.KeyImage.ToString())).ToList())
        {
            _unspent.Remove(index);
            _reserved.Remove(index);
        }

        for (var i = 0; i < block.Contents.Outputs.Count; i++)
        {
            var output = block.Contents.Outputs[i];
            var subaddress = OwnedSubaddress(output);
            if (subaddress is { } index && output.TryGetAmount(_account.ViewPrivateKey, out var amount))
            {
                using var spend = _account.SubaddressSpendPrivate(index);
                _unspent[firstGlobalIndex + (ulong)i] = new Owned(output, index, amount, output.KeyImage(_account.ViewPrivateKey, spend));
            }
        }
    }

    /// <summary>Releases the reservation of a payment that did not make it into a block.</summary>
    internal void Release(IEnumerable<ulong> inputs)
    {
        foreach (var index in inputs)
        {
            _reserved.Remove(index);
        }
    }

    /// <summary>
    /// Builds a payment of <paramref name="amount"/> to <paramref name="recipient"/> from the largest unspent outputs,
    /// with decoys drawn at random from the ledger. Returns null with a reason when the faucet cannot pay.
    /// </summary>
    internal (BuiltTransaction Built, IReadOnlyList<ulong> Inputs)? BuildPayment(
        ILedgerStore ledger, PublicAddress recipient, Amount amount, ulong fee, RistrettoPublic? ingressKey, BlockVersion version, out string? reason)
    {
        var candidates = _unspent.Where(p => !_reserved.Contains(p.Key) && p.Value.Amount.TokenId == amount.TokenId)
            .OrderByDescending(p => p.Value.Amount.Value).ToList();
        var needed = checked(amount.Value + fee);
        var chosen = new List<KeyValuePair<ulong, Owned>>();
        var total = 0UL;
        foreach (var candidate in candidates.Take(TransactionBuilder.MaxInputs))
        {
            if (total >= needed)
            {
                break;
            }

            chosen.Add(candidate);
            total = checked(total + candidate.Value.Amount.Value);
        }

        if (total < needed)
        {
            reason = $"the faucet holds {Balance(amount.TokenId)} of token {amount.TokenId} in spendable outputs, not enough for {amount.Value} plus the fee {fee}";
            return null;
        }

        var ringCount = TransactionBuilder.RingSize - 1;
        if (ledger.NumTxOuts < (ulong)(chosen.Count * (ringCount + 1)))
        {
            reason = $"the ledger has only {ledger.NumTxOuts} outputs, too few for rings of {TransactionBuilder.RingSize}";
            return null;
        }

        var excluded = chosen.Select(c => c.Key).ToHashSet();
        var mixins = new List<IReadOnlyList<Mixin>>();
        foreach (var _ in chosen)
        {
            var ring = new List<Mixin>();
            while (ring.Count < ringCount)
            {
                var index = (ulong)Random.Shared.NextInt64((long)ledger.NumTxOuts);
                if (excluded.Add(index))
                {
                    ring.Add(new Mixin(ledger.GetTxOut(index)!, ledger.GetMembershipProof(index)));
                }
            }

            mixins.Add(ring);
        }

        var built = TransactionBuilder.Build(new PaymentRequest
        {
            Sender = _account,
            Inputs = chosen.Select(c => new OwnedInput(c.Value.TxOut, c.Value.SubaddressIndex, ledger.GetMembershipProof(c.Key))).ToList(),
            Mixins = mixins,
            Payees = [new Payee(recipient, amount.Value, ingressKey)],
            TokenId = amount.TokenId,
            Fee = fee,
            TombstoneBlock = ledger.NumBlocks + 50,
            BlockVersion = version,
        });
        foreach (var (index, _) in chosen)
        {
            _reserved.Add(index);
        }

        reason = null;
        return (built, chosen.Select(c => c.Key).ToList());
    }

    public void Dispose() => _account.Dispose();

    private ulong? OwnedSubaddress(TxOut output)
    {
        var spend = output.RecoverSubaddressSpendPublic(_account.ViewPrivateKey);
        if (spend is null)
        {
            return null;
        }

        foreach (var (index, spendPublic) in _subaddresses)
        {
            if (spendPublic.Equals(spend))
            {
                return index;
            }
        }

        return null;
    }

    private sealed record Owned(TxOut TxOut, ulong SubaddressIndex, Amount Amount, KeyImage KeyImage);
}
