using Fog.Model.Ledger;
using Fog.Model.Transactions;
using NSec.Cryptography;
using Xunit;

namespace Fog.Testing.Ledger;

/// <summary>
/// The behaviour every <see cref="ILedgerStore"/> must have. A test class per implementation derives from this and
/// says how to make an empty store.
/// </summary>
public abstract class LedgerStoreContract
{
    /// <summary>A new, empty store.</summary>
    protected abstract ILedgerStore CreateStore();

    [Fact]
    public void Appended_blocks_read_back_with_every_index()
    {
        var store = CreateStore();
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var origin = LedgerFixtures.NextBlock(store, LedgerFixtures.RandomContents(0, 3));
        Assert.Equal(LedgerAppendResult.Ok, store.Append(origin));
        var next = LedgerFixtures.NextBlock(store, LedgerFixtures.RandomContents(2, 4));
        var signed = next with { Signature = BlockSignature.Sign(next.Block, key, 1_700_000_000) };
        Assert.Equal(LedgerAppendResult.Ok, store.Append(signed));

        Assert.Equal(2UL, store.NumBlocks);
        Assert.Equal(7UL, store.NumTxOuts);
        Assert.Equal(origin.ToArchiveBlockProtobuf(), store.GetBlockData(0)!.ToArchiveBlockProtobuf());
        var read = store.GetBlockData(1)!;
        Assert.Equal(signed.ToArchiveBlockProtobuf(), read.ToArchiveBlockProtobuf());
        Assert.True(read.Signature!.Verify(read.Block));
        Assert.Equal(1_700_000_000UL, read.Timestamp);
        Assert.Null(store.GetBlockData(2));

        var outputs = origin.Contents.Outputs.Concat(signed.Contents.Outputs).ToList();
        for (var i = 0; i < outputs.Count; i++)
        {
            var index = (ulong)i;
            Assert.Equal(outputs[i].ToProtobuf(), store.GetTxOut(index)!.ToProtobuf());
            Assert.Equal(index, store.GetTxOutIndexByPublicKey(outputs[i].PublicKey));
            Assert.Equal(index, store.GetTxOutIndexByHash(outputs[i].Hash()));
            Assert.Equal(i < 3 ? 0UL : 1UL, store.GetBlockIndexByTxOutIndex(index));
            Assert.True(store.ContainsTxOutPublicKey(outputs[i].PublicKey));
        }

        Assert.Null(store.GetTxOut(7));
        Assert.Null(store.GetTxOutIndexByPublicKey(new byte[32]));
        foreach (var keyImage in signed.Contents.KeyImages)
        {
            Assert.Equal(1UL, store.GetKeyImageBlockIndex(keyImage));
            Assert.True(store.ContainsKeyImage(keyImage));
        }

        Assert.False(store.ContainsKeyImage(LedgerFixtures.RandomKeyImage()));
    }

    [Fact]
    public void Every_bad_block_is_refused_with_its_reason_and_changes_nothing()
    {
        var store = CreateStore();
        Assert.Equal(LedgerAppendResult.Ok, store.Append(LedgerFixtures.NextBlock(store, LedgerFixtures.RandomContents(0, 2))));
        var spent = LedgerFixtures.RandomKeyImage();
        var first = LedgerFixtures.NextBlock(store, new BlockContents([spent], [LedgerFixtures.RandomOutput()]));
        Assert.Equal(LedgerAppendResult.Ok, store.Append(first));
        var root = store.GetRootElement();
        var last = first.Block;

        BlockData Next(BlockContents contents) => LedgerFixtures.NextBlock(store, contents);
        BlockData Header(BlockContents contents, uint version, byte[] parent, ulong index, ulong count) =>
            new(Block.Create(version, parent, index, count, root, contents), contents);

        var good = LedgerFixtures.RandomContents(1, 2);
        var cases = new (LedgerAppendResult Expected, BlockData Block)[]
        {
            (LedgerAppendResult.WrongIndex, Header(good, 4, last.Id.ToArray(), 3, 5)),
            (LedgerAppendResult.WrongParent, Header(good, 4, new byte[32], 2, 5)),
            (LedgerAppendResult.WrongVersion, Header(good, BlockVersion.Max.Value + 1, last.Id.ToArray(), 2, 5)),
            (LedgerAppendResult.WrongTxOutCount, Header(good, 4, last.Id.ToArray(), 2, 9)),
            (LedgerAppendResult.EmptyContents, Next(new BlockContents([], [LedgerFixtures.RandomOutput()]))),
            (LedgerAppendResult.EmptyContents, Next(new BlockContents([LedgerFixtures.RandomKeyImage()], []))),
            (LedgerAppendResult.KeyImageAlreadySpent, Next(new BlockContents([spent], [LedgerFixtures.RandomOutput()]))),
            (LedgerAppendResult.DuplicateOutputPublicKey, Next(new BlockContents([LedgerFixtures.RandomKeyImage()], [first.Contents.Outputs[0]]))),
            (LedgerAppendResult.ContentsHashMismatch, Next(good) with { Contents = LedgerFixtures.RandomContents(1, 2) }),
        };
        foreach (var (expected, block) in cases)
        {
            Assert.Equal(expected, store.Append(block));
        }

        var forged = Next(good).Block;
        var badId = new Block(new byte[32], forged.Version, forged.ParentId, forged.Index, forged.CumulativeTxoCount, forged.RootElement, forged.ContentsHash);
        Assert.Equal(LedgerAppendResult.InvalidBlockId, store.Append(new BlockData(badId, good)));

        var repeated = LedgerFixtures.RandomKeyImage();
        Assert.Equal(LedgerAppendResult.KeyImageAlreadySpent, store.Append(Next(new BlockContents([repeated, repeated], [LedgerFixtures.RandomOutput()]))));

        Assert.Equal(2UL, store.NumBlocks);
        Assert.Equal(3UL, store.NumTxOuts);
        Assert.Equal(root, store.GetRootElement());
        Assert.Null(store.GetBlockData(2));
        Assert.Equal(LedgerAppendResult.Ok, store.Append(Next(good)));
    }

    [Fact]
    public void Membership_proofs_verify_for_every_index_at_several_tree_sizes()
    {
        var store = CreateStore();
        var proofsAtSize = new List<(MembershipProof Proof, TxOut TxOut)>();
        foreach (var outputs in new[] { 1, 2, 3, 5, 8 })
        {
            Assert.Equal(LedgerAppendResult.Ok, store.Append(LedgerFixtures.NextBlock(store, LedgerFixtures.RandomContents(store.NumBlocks == 0 ? 0 : 1, outputs))));
            var root = store.GetRootElement();
            for (ulong i = 0; i < store.NumTxOuts; i++)
            {
                var proof = store.GetMembershipProof(i);
                var txOut = store.GetTxOut(i)!;
                Assert.Equal(store.NumTxOuts - 1, proof.HighestIndex);
                Assert.True(proof.IsValidFor(txOut, root.Hash));
                proofsAtSize.Add((proof, txOut));
            }
        }

        // Every proof ever made still verifies against the root of its own tree size.
        foreach (var (proof, txOut) in proofsAtSize)
        {
            Assert.True(proof.IsValidFor(txOut, store.GetRootElementAt(proof.HighestIndex)!.Hash));
        }

        Assert.Null(store.GetRootElementAt(store.NumTxOuts));
    }
}
