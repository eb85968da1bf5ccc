using System.Diagnostics;
using System.Security.Cryptography;
using Fog.Bench.Oram;
using Fog.Crypto.Ristretto;
using Fog.Model.Keys;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Fog.Node;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Fog.Storage.Ledger;
using Microsoft.Extensions.Logging.Abstractions;
using NSec.Cryptography;

namespace Fog.Bench.Node;

/// <summary>What to measure.</summary>
public sealed record NodeBenchmarkOptions
{
    /// <summary>Two-input transactions to validate and append.</summary>
    public int Transactions { get; init; } = 200;

    /// <summary>Transactions per block.</summary>
    public int TransactionsPerBlock { get; init; } = 20;

    /// <summary>Blocks a follower copies.</summary>
    public int FollowerBlocks { get; init; } = 200;

    /// <summary>A short run (under a minute).</summary>
    public static NodeBenchmarkOptions Quick => new() { Transactions = 40, TransactionsPerBlock = 10, FollowerBlocks = 60 };
}

/// <summary>
/// The dev node's throughput: two-input transactions validated (MLSAGs, proofs, balance) and appended to an LMDB ledger
/// per second, next to the raw ristretto255 scalar multiplication measured in the same run; and blocks per second a
/// remote follower copies over gRPC, next to reading the same blocks from the local store.
/// </summary>
public static class NodeBenchmark
{
    /// <summary>Runs the benchmark and prints a table.</summary>
    public static void Run(NodeBenchmarkOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var directory = Directory.CreateTempSubdirectory("fog-bench-node-").FullName;
        try
        {
            var scalarMult = MeasureScalarMultiplication();
            var (txPerSecond, medianValidate) = MeasureTransactions(options, directory);
            var (copied, read) = MeasureFollower(options, directory).GetAwaiter().GetResult();

            var table = new TablePrinter("measurement", ">median / rate", ">baseline", ">ratio");
            table.Add("validate one 2-input tx", $"{medianValidate.TotalMilliseconds:F2} ms", $"scalar mult {scalarMult.TotalMicroseconds:F1} µs", $"{medianValidate / scalarMult:F0}x");
            table.Add("validate + append (tx/s)", $"{txPerSecond:F1} tx/s", $"{1 / scalarMult.TotalSeconds:F0} mults/s", $"{1 / scalarMult.TotalSeconds / txPerSecond:F0} mults per tx");
            table.Add("follower copy (blocks/s)", $"{copied:F0} blocks/s", $"local read {read:F0} blocks/s", $"{copied / read:F3}");
            table.WriteTo(output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static TimeSpan MeasureScalarMultiplication()
    {
        var scalar = new byte[32];
        var point = new byte[32];
        var result = new byte[32];
        Ristretto255.RandomScalar(scalar);
        Ristretto255.ScalarMultiplyBase(scalar, point);
        var samples = new List<double>();
        for (var round = 0; round < 9; round++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 200; i++)
            {
                Ristretto255.ScalarMultiply(scalar, point, result);
            }

            samples.Add(watch.Elapsed.TotalMicroseconds / 200);
        }

        return TimeSpan.FromMicroseconds(Samples.Median(samples));
    }

    private static (double TxPerSecond, TimeSpan MedianValidate) MeasureTransactions(NodeBenchmarkOptions options, string directory)
    {
        using var payer = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32));
        using var payee = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32));
        using var store = LmdbLedgerStore.Open(Path.Combine(directory, "tx-ledger"));
        using var signingKey = Key.Create(SignatureAlgorithm.Ed25519);
        var nodeOptions = new NodeOptions
        {
            LedgerPath = Path.Combine(directory, "tx-ledger"),
            SimulationRootPath = Path.Combine(directory, "root.key"),
            MaxTransactionsPerBlock = options.TransactionsPerBlock,
            Origin = [new OriginFunding(payer.DefaultSubaddress, 1_000_000_000_000, 2 * options.Transactions), new OriginFunding(payee.DefaultSubaddress, 1, 100)],
        };
        using var node = new DevNode(nodeOptions, store, signingKey, new UncheckedRangeProofs(), NullLogger.Instance);

        // Build every transaction first (spending two distinct origin outputs each).
        var owned = new List<(ulong Index, TxOut TxOut)>();
        for (ulong i = 0; i < store.NumTxOuts; i++)
        {
            var txOut = store.GetTxOut(i)!;
            if (txOut.BelongsTo(payer, 0))
            {
                owned.Add((i, txOut));
            }
        }

        var transactions = owned.Chunk(2).Take(options.Transactions).Select(inputs => Build(store, payer, payee, inputs)).ToList();

        var validations = new List<double>();
        var total = Stopwatch.StartNew();
        var proposed = 0;
        foreach (var tx in transactions)
        {
            var watch = Stopwatch.StartNew();
            var (result, _) = node.Propose(tx);
            validations.Add(watch.Elapsed.TotalMilliseconds);
            if (result != TxValidationResult.Ok)
            {
                throw new InvalidOperationException($"A benchmark transaction was refused: {result}.");
            }

            if (++proposed % options.TransactionsPerBlock == 0)
            {
                node.FormBlock();
            }
        }

        node.FormBlock();
        var seconds = total.Elapsed.TotalSeconds;
        if (store.NumBlocks < 2)
        {
            throw new InvalidOperationException("No block was appended.");
        }

        return (transactions.Count / seconds, TimeSpan.FromMilliseconds(Samples.Median(validations)));
    }

    private static Tx Build(ILedgerStore store, AccountKey payer, AccountKey payee, (ulong Index, TxOut TxOut)[] inputs)
    {
        var used = inputs.Select(i => i.Index).ToHashSet();
        var mixins = inputs.Select(_ =>
        {
            var ring = new List<Mixin>();
            while (ring.Count < TransactionBuilder.RingSize - 1)
            {
                var index = (ulong)Random.Shared.NextInt64((long)store.NumTxOuts);
                if (used.Add(index))
                {
                    ring.Add(new Mixin(store.GetTxOut(index)!, store.GetMembershipProof(index)));
                }
            }

            return (IReadOnlyList<Mixin>)ring;
        }).ToList();
        return TransactionBuilder.Build(new PaymentRequest
        {
            Sender = payer,
            Inputs = inputs.Select(i => new OwnedInput(i.TxOut, 0, store.GetMembershipProof(i.Index))).ToList(),
            Mixins = mixins,
            Payees = [new Payee(payee.DefaultSubaddress, 1_000)],
            Fee = 400_000_000,
            TombstoneBlock = store.NumBlocks + 1000,
        }).Tx;
    }

    private static async Task<(double Copied, double Read)> MeasureFollower(NodeBenchmarkOptions options, string directory)
    {
        // A ledger of many small signed blocks (random contents: the follower checks them all the same), then a node
        // serving it.
        var ledgerPath = Path.Combine(directory, "follow-ledger");
        var source = LmdbLedgerStore.Open(ledgerPath);
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var originContents = new BlockContents([], Enumerable.Range(0, 20).Select(_ => RandomOutput()).ToList());
        var origin = Block.CreateOrigin(originContents);
        source.Append(new BlockData(origin, originContents, BlockSignature.Sign(origin, key, 1)));
        for (var i = 0; i < options.FollowerBlocks; i++)
        {
            AppendRandomBlock(source, key);
        }

        var readWatch = Stopwatch.StartNew();
        for (ulong i = 0; i < source.NumBlocks; i++)
        {
            _ = source.GetBlockData(i);
        }

        var read = source.NumBlocks / readWatch.Elapsed.TotalSeconds;
        await using var server = await NodeServer.StartAsync(
            new NodeOptions
            {
                Listen = new FogEndpoint("127.0.0.1", 0),
                Admin = new FogEndpoint("127.0.0.1", 0),
                Metrics = new FogEndpoint("127.0.0.1", 0),
                LedgerPath = ledgerPath,
                SimulationRootPath = Path.Combine(directory, "root.key"),
                ResponderId = "bench",
                LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            },
            source);
        var watch = Stopwatch.StartNew();
        await using var follower = new RemoteBlockSource(server.ClientUri, Path.Combine(directory, "follow-copy"), NullLogger.Instance);
        while (follower.Ledger.NumBlocks < source.NumBlocks)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"The follower copied only {follower.Ledger.NumBlocks} of {source.NumBlocks} blocks: {follower.LastError}");
            }

            await Task.Delay(5);
        }

        return (source.NumBlocks / watch.Elapsed.TotalSeconds, read);
    }

    private static void AppendRandomBlock(ILedgerStore store, Key key)
    {
        var contents = new BlockContents(
            [new KeyImage(RistrettoPublic.FromScalarTimesBase(RandomScalar()).Bytes)],
            Enumerable.Range(0, 3).Select(_ => RandomOutput()).ToList());
        var last = store.GetBlockData(store.NumBlocks - 1)!.Block;
        var block = Block.CreateWithParent(BlockVersion.Max, last, store.GetRootElement(), contents);
        var result = store.Append(new BlockData(block, contents, BlockSignature.Sign(block, key, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds())));
        if (result != LedgerAppendResult.Ok)
        {
            throw new InvalidOperationException($"Could not append a benchmark block: {result}.");
        }
    }

    private static TxOut RandomOutput()
    {
        using var account = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32));
        using var txKey = RistrettoPrivate.Generate();
        return TxOut.Create(BlockVersion.Max, new Amount(1, 0), account.DefaultSubaddress, txKey, Model.FogData.FogHint.Fake());
    }

    private static byte[] RandomScalar()
    {
        var scalar = new byte[32];
        Ristretto255.RandomScalar(scalar);
        return scalar;
    }
}
