using Fog.Client.Node;
using Fog.Model.Addresses;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Testing.Network;

/// <summary>A minimal scanning wallet for tests: finds its outputs by scanning every block, and builds payments.</summary>
public sealed class TestWallet(AccountKey account)
{
    public AccountKey Account { get; } = account;

    public PublicAddress Address => Account.DefaultSubaddress;

    /// <summary>Every output of this account in the node's blocks, with its global index.</summary>
    public async Task<List<(ulong Index, TxOut TxOut, Amount Amount)>> ScanAsync(NodeClient node)
    {
        var owned = new List<(ulong, TxOut, Amount)>();
        var next = 0UL;
        await foreach (var block in node.StreamBlocksAsync(0, follow: false))
        {
            foreach (var output in block.Contents.Outputs)
            {
                if ((output.BelongsTo(Account, 0) || output.BelongsTo(Account, AccountKey.ChangeSubaddressIndex)) && output.TryGetAmount(Account.ViewPrivateKey, out var amount))
                {
                    owned.Add((next, output, amount));
                }

                next++;
            }
        }

        return owned;
    }

    /// <summary>A payment spending <paramref name="inputs"/> (outputs of subaddress 0), with random decoys from the node.</summary>
    public async Task<BuiltTransaction> PayAsync(NodeClient node, IReadOnlyList<(ulong Index, TxOut TxOut)> inputs, PublicAddress to, ulong value, ulong fee = 400_000_000)
    {
        var info = await node.GetLedgerInfoAsync();
        var excluded = inputs.Select(i => i.Index).ToHashSet();
        var decoys = new List<ulong>();
        while (decoys.Count < inputs.Count * (TransactionBuilder.RingSize - 1))
        {
            var index = (ulong)Random.Shared.NextInt64((long)info.NumTxos);
            if (excluded.Add(index))
            {
                decoys.Add(index);
            }
        }

        var fetched = await node.GetOutputsAsync(inputs.Select(i => i.Index).Concat(decoys));
        var proofs = fetched.ToDictionary(f => f.Index);
        return TransactionBuilder.Build(new PaymentRequest
        {
            Sender = Account,
            Inputs = inputs.Select(i => new OwnedInput(proofs[i.Index].TxOut, 0, proofs[i.Index].Proof)).ToList(),
            Mixins = decoys.Chunk(TransactionBuilder.RingSize - 1).Select(c => (IReadOnlyList<Mixin>)c.Select(d => new Mixin(proofs[d].TxOut, proofs[d].Proof)).ToList()).ToList(),
            Payees = [new Payee(to, value)],
            Fee = fee,
            TombstoneBlock = info.NumBlocks + 50,
            BlockVersion = new BlockVersion(info.BlockVersion),
        });
    }
}
