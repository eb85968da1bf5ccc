using System.Diagnostics;
using System.Security.Cryptography;
using Fog.Attestation.Evidence;
using Fog.Attestation.Sealing;
using Fog.Bench.Oram;
using Fog.Crypto.Ristretto;
using Fog.Enclaves.Ingest;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Transactions;
using Fog.Oblivious.Maps;

namespace Fog.Bench.Ingest;

/// <summary>What to measure.</summary>
public sealed record IngestBenchmarkOptions
{
    /// <summary>Desired capacity of the enclave's counter map (default 2^18, the reference's production default).</summary>
    public ulong UserCapacity { get; init; } = 1UL << 18;

    /// <summary>TxOuts per enclave call (one block's chunk).</summary>
    public int ChunkSize { get; init; } = 2000;

    /// <summary>Timed chunks (after one warm-up chunk); the median is reported.</summary>
    public int Chunks { get; init; } = 9;

    /// <summary>Fog users the TxOuts pay; the rest go to non-fog recipients (chaff).</summary>
    public int Users { get; init; } = 200;

    /// <summary>Share of TxOuts that pay a fog user of this enclave (the rest carry fake hints).</summary>
    public double FogShare { get; init; } = 0.5;

    /// <summary>Entries put in the counter map before timing, as a fraction of its real capacity (the map gets slower as it fills).</summary>
    public double PrefillFraction { get; init; } = 0.5;

    /// <summary>Threads for the enclave's cryptography (default: all cores).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>A short run (well under a minute).</summary>
    public static IngestBenchmarkOptions Quick => new() { ChunkSize = 1000, Chunks = 3, PrefillFraction = 0.1 };
}

/// <summary>
/// Ingest enclave throughput: TxOuts tagged and boxed per second at user capacity 2^18, next to the ristretto255 scalar
/// multiplications one TxOut needs, measured in the same run. One TxOut costs three variable-base multiplications
/// (hint decryption a·E, the RNG secret egress·C, the record box's r·C) and one fixed-base (the box's r·G); they run in
/// parallel across cores, while the oblivious counter map is accessed sequentially (one access_and_insert per TxOut),
/// which the table also shows on its own.
/// </summary>
public static class IngestBenchmark
{
    /// <summary>Variable-base scalar multiplications per TxOut.</summary>
    public const int VariableBaseMultiplicationsPerTxOut = 3;

    /// <summary>Fixed-base scalar multiplications per TxOut.</summary>
    public const int FixedBaseMultiplicationsPerTxOut = 1;

    /// <summary>Runs the benchmark and prints a table; returns the median TxOuts per second.</summary>
    public static double Run(IngestBenchmarkOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var (variableBase, fixedBase) = MeasureScalarMultiplication();
        var floor = (VariableBaseMultiplicationsPerTxOut * variableBase) + (FixedBaseMultiplicationsPerTxOut * fixedBase);
        var mapAccess = MeasureMap(options);

        using var root = SimulationRoot.Generate();
        using var quotingKey = root.IssueQuotingKey();
        using var sealing = MachineSealingSecret.CreateEphemeral();
        var identity = new EnclaveIdentity(EnclaveMeasurement.Compute("ingest", "benchmark"u8), EnclaveSignerId.FogSimulation, EnclaveProductId.Ingest, 1, false);
        using var enclave = (IngestEnclave)IngestEnclaveFactory.Create(
            new SimulatedQuotingProvider(quotingKey, identity),
            "ingest-benchmark",
            new IngestEnclaveOptions { UserCapacity = options.UserCapacity, SealingSecret = sealing, Parallelism = options.Parallelism });
        var chunk = TxOuts(options, enclave.IngressPublicKey);
        var prefill = (ulong)(enclave.StoreCapacity * options.PrefillFraction);
        enclave.PrefillStoreForBenchmark(prefill);

        var seconds = new List<double>();
        var globalIndex = 0UL;
        for (var round = 0; round <= options.Chunks; round++)
        {
            var watch = Stopwatch.StartNew();
            var result = enclave.IngestTxs(new IngestChunk((ulong)round, globalIndex, 1_700_000_000, chunk));
            var elapsed = watch.Elapsed.TotalSeconds;
            if (result.Status != IngestStatus.Ok || result.Records.Count != chunk.Count)
            {
                throw new InvalidOperationException($"The benchmark chunk was not ingested: {result.Status} {result.Message}");
            }

            if (result.NewEgressPublicKey is not null)
            {
                output.WriteLine($"note: the counter map overflowed in round {round} and the chunk was re-processed (raise the capacity or lower the prefill).");
            }

            globalIndex += (ulong)chunk.Count;
            if (round > 0)
            {
                seconds.Add(elapsed);
            }
        }

        var median = Samples.Median(seconds);
        var perTxOut = TimeSpan.FromSeconds(median / chunk.Count);
        var txOutsPerSecond = chunk.Count / median;
        var cores = options.Parallelism;
        var cryptoFloorRate = cores / floor.TotalSeconds;
        var table = new TablePrinter("measurement", ">median", ">baseline", ">ratio");
        table.Add(
            $"ingest one TxOut (chunks of {chunk.Count}, {options.FogShare:P0} fog, capacity 2^{ulong.Log2(options.UserCapacity)}, map {100.0 * options.PrefillFraction:F0}% full, {cores} threads)",
            $"{perTxOut.TotalMicroseconds:F1} µs",
            $"{VariableBaseMultiplicationsPerTxOut}·{variableBase.TotalMicroseconds:F1} + {FixedBaseMultiplicationsPerTxOut}·{fixedBase.TotalMicroseconds:F1} µs = {floor.TotalMicroseconds:F1} µs of scalar mults",
            $"{perTxOut / floor:F2}x");
        table.Add("TxOuts ingested per second", $"{txOutsPerSecond:F0}/s", $"{cryptoFloorRate:F0}/s (mults alone on {cores} cores)", $"{txOutsPerSecond / cryptoFloorRate:F2}");
        table.Add("counter map access_and_insert (sequential)", $"{mapAccess.TotalMicroseconds:F1} µs", $"{floor.TotalMicroseconds:F1} µs", $"{mapAccess / floor:F2}x");
        table.WriteTo(output);
        output.WriteLine($"target >= 2,500 TxOuts/s: {(txOutsPerSecond >= 2500 ? "met" : "NOT met")} ({txOutsPerSecond:F0}/s)");
        return txOutsPerSecond;
    }

    private static List<TxOut> TxOuts(IngestBenchmarkOptions options, byte[] ingressPublicKey)
    {
        var ingress = RistrettoPublic.From(ingressPublicKey);
        var users = Enumerable.Range(0, options.Users).Select(_ => AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32))).ToList();
        var random = new Random(1);
        var txOuts = new List<TxOut>(options.ChunkSize);
        for (var i = 0; i < options.ChunkSize; i++)
        {
            var user = users[random.Next(users.Count)].DefaultSubaddress;
            var hint = random.NextDouble() < options.FogShare ? FogHint.Encrypt(ingress, user.ViewPublicKey) : FogHint.Fake();
            using var txKey = RistrettoPrivate.Generate();
            txOuts.Add(TxOut.Create(BlockVersion.Max, new Amount((ulong)random.Next(1, 1_000_000), Amount.MobTokenId), user, txKey, hint));
        }

        users.ForEach(u => u.Dispose());
        return txOuts;
    }

    private static (TimeSpan VariableBase, TimeSpan FixedBase) MeasureScalarMultiplication()
    {
        var scalar = new byte[32];
        var point = new byte[32];
        var result = new byte[32];
        Ristretto255.RandomScalar(scalar);
        Ristretto255.ScalarMultiplyBase(scalar, point);
        var variable = new List<double>();
        var fixedBase = new List<double>();
        for (var round = 0; round < 9; round++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 200; i++)
            {
                Ristretto255.ScalarMultiply(scalar, point, result);
            }

            variable.Add(watch.Elapsed.TotalMicroseconds / 200);
            watch.Restart();
            for (var i = 0; i < 200; i++)
            {
                Ristretto255.ScalarMultiplyBase(scalar, result);
            }

            fixedBase.Add(watch.Elapsed.TotalMicroseconds / 200);
        }

        return (TimeSpan.FromMicroseconds(Samples.Median(variable)), TimeSpan.FromMicroseconds(Samples.Median(fixedBase)));
    }

    /// <summary>The sequential part alone: one access_and_insert on the ingest-shaped map at the same fill.</summary>
    private static TimeSpan MeasureMap(IngestBenchmarkOptions options)
    {
        using var store = new RngStore(ObliviousMapOptions.For(ObliviousMapShape.Ingest, options.UserCapacity));
        var secret = new byte[32];
        for (var filled = 0UL; filled < (ulong)(store.Capacity * options.PrefillFraction); filled++)
        {
            RandomNumberGenerator.Fill(secret);
            store.TryNextCounter(secret, out _);
        }

        var samples = new List<double>();
        for (var round = 0; round < 9; round++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 200; i++)
            {
                RandomNumberGenerator.Fill(secret);
                store.TryNextCounter(secret, out _);
            }

            samples.Add(watch.Elapsed.TotalMicroseconds / 200);
        }

        return TimeSpan.FromMicroseconds(Samples.Median(samples));
    }
}
