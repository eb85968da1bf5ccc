using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using FsCheck.Xunit;

namespace Fog.Model.Tests;

public class LedgerTests
{
    private static readonly AccountKey Account = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)3, 32).ToArray());

    private static TxOut NewOutput(ulong value)
    {
        using var txKey = RistrettoPrivate.Generate();
        return TxOut.Create(BlockVersion.Three, new Amount(value, 0), Account.DefaultSubaddress, txKey, FogHint.Fake());
    }

    private static (MerkleTree Tree, List<TxOut> Outputs) Tree(int count)
    {
        var tree = new MerkleTree();
        var outputs = new List<TxOut>();
        for (var i = 0; i < count; i++)
        {
            var output = NewOutput((ulong)i);
            outputs.Add(output);
            tree.Append(output.Hash());
        }

        return (tree, outputs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    public void Every_leaf_proof_verifies_against_the_root_and_round_trips(int count)
    {
        var (tree, outputs) = Tree(count);
        var root = tree.Root;
        Assert.Equal(0UL, root.Range.From);
        for (var i = 0; i < count; i++)
        {
            var proof = tree.Prove((ulong)i);
            Assert.True(proof.IsValidFor(outputs[i], root.Hash));
            if (count > 1)
            {
                Assert.False(proof.IsValidFor(outputs[(i + 1) % count], root.Hash));
            }

            Assert.True(MembershipProof.TryParseProtobuf(proof.ToProtobuf(), out var parsed));
            Assert.True(parsed.IsValidFor(outputs[i], root.Hash));
        }
    }

    [Property(MaxTest = 60)]
    public bool Any_flipped_byte_of_a_proof_element_or_of_its_index_fails(byte leaf, ushort position)
    {
        var (tree, outputs) = Tree(6);
        var index = leaf % 6;
        var proof = tree.Prove((ulong)index);

        // The proven content, byte by byte: the index (8 bytes), then each element's from (8), to (8) and hash (32).
        var elements = proof.Elements.ToList();
        var p = position % (8 + (elements.Count * 48));
        var proofIndex = proof.Index;
        if (p < 8)
        {
            proofIndex ^= 1UL << (8 * p);
        }
        else
        {
            var e = (p - 8) / 48;
            var offset = (p - 8) % 48;
            var range = elements[e].Range;
            var hash = elements[e].Hash.ToArray();
            if (offset < 8)
            {
                range = range with { From = range.From ^ (1UL << (8 * offset)) };
            }
            else if (offset < 16)
            {
                range = range with { To = range.To ^ (1UL << (8 * (offset - 8))) };
            }
            else
            {
                hash[offset - 16] ^= 1;
            }

            elements[e] = new MembershipElement(range, hash);
        }

        return new MembershipProof(index: proofIndex, proof.HighestIndex, elements).IsValidFor(outputs[index], tree.Root.Hash) == false
            && proof.IsValidFor(outputs[index], tree.Root.Hash);
    }

    [Fact]
    public void Highest_index_selects_the_tree_size()
    {
        var (tree, outputs) = Tree(6);
        var proof = tree.Prove(2);
        Assert.False(new MembershipProof(2, 2, proof.Elements).IsValidFor(outputs[2], tree.Root.Hash));
        Assert.False(new MembershipProof(2, 1, proof.Elements).IsValidFor(outputs[2], tree.Root.Hash));
        Assert.False(new MembershipProof(2, ulong.MaxValue, proof.Elements).IsValidFor(outputs[2], tree.Root.Hash));
    }

    [Fact]
    public void Proof_fails_against_another_root_or_with_misordered_elements()
    {
        var (tree, outputs) = Tree(4);
        var proof = tree.Prove(1);
        var oldRoot = tree.Root.Hash.ToArray();
        tree.Append(NewOutput(99).Hash());
        Assert.False(proof.IsValidFor(outputs[1], tree.Root.Hash));
        Assert.True(proof.IsValidFor(outputs[1], oldRoot));

        var reversed = new MembershipProof(proof.Index, proof.HighestIndex, [proof.Elements[0], proof.Elements[2], proof.Elements[1]]);
        Assert.Null(reversed.ImpliedRoot());
        var wrongLeaf = new MembershipProof(2, proof.HighestIndex, proof.Elements);
        Assert.False(wrongLeaf.IsValidFor(outputs[1], oldRoot));
    }

    [Fact]
    public void Empty_subtrees_hash_to_nil_and_the_empty_tree_root_is_nil()
    {
        Assert.Equal(TxOutMerkle.NilHash.ToArray(), new MerkleTree().Root.Hash.ToArray());
        var (tree, _) = Tree(3);
        var proof = tree.Prove(0);
        Assert.Equal(new LeafRange(2, 3), proof.Elements[2].Range);
        var leaf2 = tree.Prove(2).Elements[0].Hash;
        Assert.Equal(TxOutMerkle.NodeHash(leaf2, TxOutMerkle.NilHash), proof.Elements[2].Hash.ToArray());
    }

    [Fact]
    public void Root_at_any_past_size_equals_the_root_of_a_tree_of_that_size()
    {
        var (tree, outputs) = Tree(11);
        for (var count = 1; count <= 11; count++)
        {
            var fresh = new MerkleTree();
            foreach (var output in outputs.Take(count))
            {
                fresh.Append(output.Hash());
            }

            Assert.Equal(fresh.Root, tree.RootAt((ulong)count));

            // An old proof verifies against the root of its own size, as consensus accepts proofs of any age.
            var oldProof = fresh.Prove((ulong)count - 1);
            Assert.True(oldProof.IsValidFor(outputs[count - 1], tree.RootAt(oldProof.HighestIndex + 1).Hash));
        }
    }

    [Fact]
    public void Block_ids_chain_and_detect_changes()
    {
        var origin = Block.CreateOrigin(new BlockContents([], [NewOutput(1), NewOutput(2)]));
        Assert.True(origin.IsIdValid);
        Assert.Equal(2UL, origin.CumulativeTxoCount);

        var (tree, _) = Tree(2);
        var contents = new BlockContents([new KeyImage(Enumerable.Repeat((byte)9, 32).ToArray())], [NewOutput(3)]);
        var next = Block.CreateWithParent(BlockVersion.Three, origin, tree.Root, contents);
        Assert.True(next.IsIdValid);
        Assert.Equal(origin.Id.ToArray(), next.ParentId.ToArray());
        Assert.Equal(1UL, next.Index);
        Assert.Equal(3UL, next.CumulativeTxoCount);
        Assert.Equal(contents.Hash(), next.ContentsHash.ToArray());

        Assert.True(Block.TryParseProtobuf(next.ToProtobuf(), out var parsed));
        Assert.True(parsed.IsIdValid);
        Assert.Equal(next.SigningDigest(), parsed.SigningDigest());
        Assert.True(BlockContents.TryParseProtobuf(contents.ToProtobuf(), out var parsedContents));
        Assert.Equal(contents.Hash(), parsedContents.Hash());

        var forged = new Block(next.Id, next.Version, next.ParentId, next.Index + 1, next.CumulativeTxoCount, next.RootElement, next.ContentsHash);
        Assert.False(forged.IsIdValid);
    }
}
