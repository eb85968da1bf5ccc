using Fog.Model.Ledger;
using Fog.Storage.Ledger;
using Fog.Testing.Ledger;

namespace Fog.Storage.Tests.Ledger;

/// <summary>The ledger-store contract on LMDB, plus what only a durable store has: reopening, atomic failure, concurrent readers.</summary>
public sealed class LmdbLedgerStoreTests : LedgerStoreContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fog-ledger-test-").FullName;
    private readonly List<LmdbLedgerStore> _stores = [];

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
        Directory.Delete(_root, recursive: true);
    }

    protected override ILedgerStore CreateStore() => Open(Path.Combine(_root, Guid.NewGuid().ToString("N")));

    private LmdbLedgerStore Open(string directory, long mapSize = 64L << 30)
    {
        var store = LmdbLedgerStore.Open(directory, mapSize);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public void Reopened_ledger_has_every_block_and_the_same_root()
    {
        var directory = Path.Combine(_root, "reopen");
        var first = Open(directory);
        first.Append(LedgerFixtures.NextBlock(first, LedgerFixtures.RandomContents(0, 5)));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(LedgerAppendResult.Ok, first.Append(LedgerFixtures.NextBlock(first, LedgerFixtures.RandomContents(2, 3))));
        }

        var root = first.GetRootElement();
        var last = first.GetBlockData(3)!.ToArchiveBlockProtobuf();
        first.Dispose();
        _stores.Remove(first);

        var reopened = Open(directory);
        Assert.Equal(4UL, reopened.NumBlocks);
        Assert.Equal(14UL, reopened.NumTxOuts);
        Assert.Equal(root, reopened.GetRootElement());
        Assert.Equal(last, reopened.GetBlockData(3)!.ToArchiveBlockProtobuf());
        Assert.Equal(LedgerAppendResult.Ok, reopened.Append(LedgerFixtures.NextBlock(reopened, LedgerFixtures.RandomContents(1, 1))));
    }

    [Fact]
    public void Batch_appends_in_one_transaction_and_stops_at_the_first_refused_block()
    {
        var store = Open(Path.Combine(_root, "batch"));
        var reference = new InMemoryLedger();
        var blocks = new List<BlockData>();
        for (var i = 0; i < 5; i++)
        {
            var block = LedgerFixtures.NextBlock(reference, LedgerFixtures.RandomContents(i == 0 ? 0 : 1, 2));
            Assert.Equal(LedgerAppendResult.Ok, reference.Append(block));
            blocks.Add(block);
        }

        Assert.Equal((3, LedgerAppendResult.Ok), store.AppendBatch(blocks.Take(3).ToList()));
        var bad = blocks[4]; // skips block 3
        Assert.Equal((0, LedgerAppendResult.WrongIndex), store.AppendBatch([bad]));
        Assert.Equal((1, LedgerAppendResult.WrongIndex), store.AppendBatch([blocks[3], blocks[3]]));
        Assert.Equal(4UL, store.NumBlocks);
        Assert.Equal(reference.GetRootElementAt(store.NumTxOuts - 1), store.GetRootElement());
        Assert.Equal((1, LedgerAppendResult.Ok), store.AppendBatch([blocks[4]]));
        Assert.Equal(reference.GetRootElement(), store.GetRootElement());
    }

    [Fact]
    public void Failure_in_the_middle_of_an_append_writes_nothing()
    {
        // A tiny map: appending eventually fails inside the write transaction (MDB_MAP_FULL).
        var store = Open(Path.Combine(_root, "tiny"), mapSize: 256 * 1024);
        store.Append(LedgerFixtures.NextBlock(store, LedgerFixtures.RandomContents(0, 2)));
        LedgerStoreException? failure = null;
        for (var i = 0; i < 200 && failure is null; i++)
        {
            var blocks = store.NumBlocks;
            var outputs = store.NumTxOuts;
            var root = store.GetRootElement();
            try
            {
                Assert.Equal(LedgerAppendResult.Ok, store.Append(LedgerFixtures.NextBlock(store, LedgerFixtures.RandomContents(1, 8))));
            }
            catch (LedgerStoreException e)
            {
                failure = e;
                Assert.Equal(blocks, store.NumBlocks);
                Assert.Equal(outputs, store.NumTxOuts);
                Assert.Equal(root, store.GetRootElement());
                Assert.Null(store.GetBlockData(blocks));
                Assert.Null(store.GetTxOut(outputs));
            }
        }

        Assert.NotNull(failure);
        Assert.True(failure.IsTransient);
    }

    [Fact]
    public async Task Readers_see_whole_blocks_while_a_writer_appends()
    {
        var store = Open(Path.Combine(_root, "concurrent"));
        store.Append(LedgerFixtures.NextBlock(store, LedgerFixtures.RandomContents(0, 3)));
        var blocks = Enumerable.Range(0, 25).Select(_ => LedgerFixtures.RandomContents(1, 2)).ToList();
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            var checks = 0;
            while (!done.IsCancellationRequested || checks == 0)
            {
                // One consistent snapshot per call: the last block exists and its count matches its outputs.
                var numBlocks = store.NumBlocks;
                var last = store.GetBlockData(numBlocks - 1)!;
                Assert.True(last.Block.IsIdValid);
                Assert.True(store.GetTxOut(last.Block.CumulativeTxoCount - 1) is not null);
                var proof = store.GetMembershipProof(0);
                Assert.True(proof.IsValidFor(store.GetTxOut(0)!, store.GetRootElementAt(proof.HighestIndex)!.Hash));
                checks++;
            }

            return checks;
        })).ToList();

        foreach (var contents in blocks)
        {
            Assert.Equal(LedgerAppendResult.Ok, store.Append(LedgerFixtures.NextBlock(store, contents)));
        }

        await done.CancelAsync();
        var counts = await Task.WhenAll(readers);
        Assert.All(counts, c => Assert.True(c > 0));
        Assert.Equal(26UL, store.NumBlocks);
    }

    [Fact]
    public void Ledger_of_another_layout_is_refused_clearly()
    {
        var directory = Path.Combine(_root, "other");
        Open(directory).Dispose();
        _stores.Clear();

        // Write another layout's marker with LightningDB directly (the resolver is in place: Open ran above).
        using (var environment = new LightningDB.LightningEnvironment(directory, new LightningDB.EnvironmentConfiguration { MaxDatabases = 16 }))
        {
            environment.Open();
            using var txn = environment.BeginTransaction();
            using var info = txn.OpenDatabase("ledger_db_metadata");
            txn.Put(info, "layout_version"u8.ToArray(), "something-else"u8.ToArray());
            txn.Commit();
        }

        var error = Assert.Throws<InvalidDataException>(() => LmdbLedgerStore.Open(directory));
        Assert.Contains("something-else", error.Message, StringComparison.Ordinal);
    }
}
