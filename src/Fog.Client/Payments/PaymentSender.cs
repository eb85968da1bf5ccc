using Fog.Client.Balance;
using Fog.Client.Reports;
using Fog.Model.Addresses;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Client.Payments;

/// <summary>
/// Sends a payment from the wallet's spendable outputs: selects inputs, fetches them and random ring members with
/// membership proofs through fog ledger's attested GetOutputs, resolves fog reports (the recipient's and, for the
/// change, the wallet's own), builds and submits the transaction, then waits until the recipient's output is in a block
/// or the tombstone block passes.
/// </summary>
internal sealed class PaymentSender
{
    private const ulong TombstoneBlocks = 50;

    private readonly AccountKey _account;
    private readonly FogClientState _state;
    private readonly IFogMerkleProofService _proofs;
    private readonly ITransactionSubmitter _submitter;
    private readonly IFogReportResolver? _reports;
    private readonly TimeSpan _pollInterval;

    internal PaymentSender(AccountKey account, FogClientState state, IFogMerkleProofService proofs, ITransactionSubmitter submitter, IFogReportResolver? reports, TimeSpan? pollInterval = null)
    {
        _account = account;
        _state = state;
        _proofs = proofs;
        _submitter = submitter;
        _reports = reports;
        _pollInterval = pollInterval ?? TimeSpan.FromMilliseconds(250);
    }

    internal async Task<SendResult> SendAsync(PublicAddress recipient, Amount amount, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var (numBlocks, blockVersion, fees) = await _submitter.GetNetworkInfoAsync(cancellationToken).ConfigureAwait(false);
        if (!fees.TryGetValue(amount.TokenId, out var fee))
        {
            throw new ArgumentException($"The network does not accept token {amount.TokenId}.", nameof(amount));
        }

        var needed = checked(amount.Value + fee);
        var inputs = SelectInputs(amount.TokenId, needed);
        if (inputs is null)
        {
            var spendable = Spendable(amount.TokenId).Aggregate(0UL, (sum, o) => sum + o.Value);
            return new SendResult { Status = SendStatus.InsufficientFunds, Amount = amount.Value, Fee = fee, Spendable = spendable, Message = $"The wallet can spend {spendable} of token {amount.TokenId}; the payment needs {needed} (amount + fee {fee})." };
        }

        // The fog keys to encrypt hints to, and the tombstone they allow.
        var tombstone = numBlocks + TombstoneBlocks;
        ValidatedFogPubkey? recipientReport = null;
        if (recipient.HasFog)
        {
            progress?.Report("resolving the recipient's fog report");
            recipientReport = await Resolver().ResolveAsync(recipient, cancellationToken).ConfigureAwait(false);
            tombstone = Math.Min(tombstone, recipientReport.PubkeyExpiry);
        }

        ValidatedFogPubkey? ownReport = null;
        var ownAddress = _account.DefaultSubaddress;
        if (ownAddress.HasFog)
        {
            ownReport = await Resolver().ResolveAsync(ownAddress, cancellationToken).ConfigureAwait(false);
            tombstone = Math.Min(tombstone, ownReport.PubkeyExpiry);
        }

        if (tombstone <= numBlocks)
        {
            throw new InvalidOperationException("A fog report expires before the next block; try again when the ingest server has published a fresh report.");
        }

        // The real inputs (with their fog hints, which fog records do not carry) and random ring members, with proofs.
        progress?.Report($"fetching {inputs.Count} inputs and {inputs.Count * (TransactionBuilder.RingSize - 1)} ring members through fog ledger");
        var (realOutputs, txoCount, _) = await _proofs.GetOutputsAsync(inputs.Select(i => i.GlobalIndex).ToList(), cancellationToken).ConfigureAwait(false);
        var owned = new List<OwnedInput>();
        foreach (var input in inputs)
        {
            var fetched = realOutputs.SingleOrDefault(o => o.Index == input.GlobalIndex);
            var mine = TxOut.TryParseProtobuf(Convert.FromHexString(input.TxOut), out var ownCopy) ? ownCopy : null;
            if (fetched.TxOut is null || mine is null || !fetched.TxOut.PublicKey.SequenceEqual(mine.PublicKey) || !fetched.TxOut.TargetKey.SequenceEqual(mine.TargetKey))
            {
                throw new InvalidDataException($"Fog ledger returned a different output at index {input.GlobalIndex} than the one the wallet owns.");
            }

            owned.Add(new OwnedInput(fetched.TxOut, input.SubaddressIndex, fetched.Proof));
        }

        var mixins = await FetchMixinsAsync(inputs.Select(i => i.GlobalIndex).ToHashSet(), inputs.Count, txoCount, cancellationToken).ConfigureAwait(false);
        progress?.Report("building and signing the transaction");
        var built = TransactionBuilder.Build(new PaymentRequest
        {
            Sender = _account,
            Inputs = owned,
            Mixins = mixins,
            Payees = [new Payee(recipient, amount.Value, recipientReport?.IngressPublicKey)],
            TokenId = amount.TokenId,
            Fee = fee,
            TombstoneBlock = tombstone,
            BlockVersion = blockVersion,
            SenderFogIngressKey = ownReport?.IngressPublicKey,
        });

        progress?.Report("submitting to the node");
        var result = await _submitter.ProposeAsync(built.Tx, cancellationToken).ConfigureAwait(false);
        if (result != TxValidationResult.Ok)
        {
            return new SendResult { Status = SendStatus.Rejected, Rejection = result, Amount = amount.Value, Fee = fee, Message = $"The node refused the transaction: {result}." };
        }

        foreach (var input in inputs)
        {
            input.PendingSpendTombstone = tombstone;
        }

        progress?.Report("waiting for the payment to reach a block");
        var payeeKey = built.PayeeOutputs[0].PublicKey.ToArray();
        while (true)
        {
            if (await _submitter.FindBlockOfAsync(payeeKey, cancellationToken).ConfigureAwait(false) is { } block)
            {
                return new SendResult { Status = SendStatus.Confirmed, BlockIndex = block, Amount = amount.Value, Fee = fee, PayeeOutput = built.PayeeOutputs[0], Message = $"Paid {amount.Value} of token {amount.TokenId} (fee {fee}) in block {block}." };
            }

            var (current, _, _) = await _submitter.GetNetworkInfoAsync(cancellationToken).ConfigureAwait(false);
            if (current >= tombstone)
            {
                foreach (var input in inputs)
                {
                    input.PendingSpendTombstone = null;
                }

                return new SendResult { Status = SendStatus.Expired, Amount = amount.Value, Fee = fee, Message = $"The transaction did not reach a block before block {tombstone}; nothing was spent." };
            }

            await Task.Delay(_pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private IFogReportResolver Resolver() => _reports ?? throw new InvalidOperationException("Paying a fog address needs a fog report resolver.");

    private IEnumerable<OwnedOutputState> Spendable(ulong tokenId) =>
        _state.Outputs.Where(o => o.TokenId == tokenId && o.SpentAtBlock is null && o.PendingSpendTombstone is null);

    // Smallest first (consolidates small outputs); if that needs more than 16 inputs, largest first.
    private List<OwnedOutputState>? SelectInputs(ulong tokenId, ulong needed)
    {
        foreach (var order in new Func<IEnumerable<OwnedOutputState>, IEnumerable<OwnedOutputState>>[] { s => s.OrderBy(o => o.Value), s => s.OrderByDescending(o => o.Value) })
        {
            var chosen = new List<OwnedOutputState>();
            var total = 0UL;
            foreach (var output in order(Spendable(tokenId)))
            {
                if (total >= needed || chosen.Count == TransactionBuilder.MaxInputs)
                {
                    break;
                }

                chosen.Add(output);
                total = checked(total + output.Value);
            }

            if (total >= needed)
            {
                return chosen;
            }
        }

        return null;
    }

    private async Task<List<IReadOnlyList<Mixin>>> FetchMixinsAsync(HashSet<ulong> excluded, int inputCount, ulong txoCount, CancellationToken cancellationToken)
    {
        var perRing = TransactionBuilder.RingSize - 1;
        if (txoCount < (ulong)(inputCount * (perRing + 1)))
        {
            throw new InvalidOperationException($"The ledger has only {txoCount} outputs, too few for rings of {TransactionBuilder.RingSize}.");
        }

        var indices = new List<ulong>();
        while (indices.Count < inputCount * perRing)
        {
            var index = (ulong)Random.Shared.NextInt64((long)txoCount);
            if (excluded.Add(index))
            {
                indices.Add(index);
            }
        }

        var (outputs, _, _) = await _proofs.GetOutputsAsync(indices, cancellationToken).ConfigureAwait(false);
        var byIndex = outputs.ToDictionary(o => o.Index);
        return indices.Chunk(perRing).Select(chunk => (IReadOnlyList<Mixin>)chunk.Select(i => byIndex.TryGetValue(i, out var o)
            ? new Mixin(o.TxOut, o.Proof)
            : throw new InvalidDataException($"Fog ledger did not return ring member {i}.")).ToList()).ToList();
    }
}
