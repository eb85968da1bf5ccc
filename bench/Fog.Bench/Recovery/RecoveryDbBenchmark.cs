using System.Diagnostics;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Storage.Recovery;

namespace Fog.Bench.Recovery;

/// <summary>Settings of <see cref="RecoveryDbBenchmark.Run"/>.</summary>
public sealed class RecoveryDbBenchmarkOptions
{
    /// <summary>Measure SQLite (in a new file under the temporary directory). Default: true.</summary>
    public bool Sqlite { get; set; } = true;

    /// <summary>An Npgsql connection string to measure PostgreSQL with, or null to skip it. The benchmark works in a schema of its own and drops it afterwards. Default: null.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Blocks written per backend. Default: 200.</summary>
    public int Blocks { get; set; } = 200;

    /// <summary>Fewest records in a block. Default: 1.</summary>
    public int MinRecordsPerBlock { get; set; } = 1;

    /// <summary>Most records in a block. Default: 500 (as the reference's write benchmark).</summary>
    public int MaxRecordsPerBlock { get; set; } = 500;

    /// <summary>Samples: the writes are split into this many timed groups of blocks, and the reads repeated this often. Default: 7.</summary>
    public int Samples { get; set; } = 7;

    /// <summary>Blocks per range read (view reads in batches). Default: 50.</summary>
    public int ReadBatchBlocks { get; set; } = 50;

    /// <summary>Seed for block sizes and record bytes. Default: 1.</summary>
    public int Seed { get; set; } = 1;
}

/// <summary>One throughput measurement with its baseline, both medians of the same run.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="RecordsPerSecond">Median records per second.</param>
/// <param name="BaselineRecordsPerSecond">Median records per second of the in-memory baseline doing the same work.</param>
public sealed record RecoveryDbBenchmarkResult(string Name, double RecordsPerSecond, double BaselineRecordsPerSecond)
{
    /// <summary>How many times longer the backend takes than the baseline (backend time / baseline time).</summary>
    public double Ratio => BaselineRecordsPerSecond / RecordsPerSecond;
}

/// <summary>The results of one run.</summary>
/// <param name="Results">Every measurement.</param>
/// <param name="Records">Records written per backend.</param>
/// <param name="Blocks">Blocks written per backend.</param>
public sealed record RecoveryDbBenchmarkReport(IReadOnlyList<RecoveryDbBenchmarkResult> Results, long Records, int Blocks);

/// <summary>
/// Recovery DB throughput: records written per second through <see cref="IRecoveryDb.AddBlockDataAsync"/>
/// (one transaction per block, blocks of 1–500 records of the size ingest writes) and records read per second
/// through <see cref="IRecoveryDb.GetTxOutsByBlockRangeAndKeyAsync"/> (how view loads them), per backend,
/// against a baseline measured in the same run: an in-memory dictionary doing the same encoding, inserts,
/// lookups and decoding, so the ratio is the cost of the database itself.
/// </summary>
public static class RecoveryDbBenchmark
{
    private const int PayloadSize = 237; // a current-version ETxOutRecord payload (reference/ingest.md §1.8)

    /// <summary>Runs every measurement, writing a table to <paramref name="output"/>.</summary>
    public static RecoveryDbBenchmarkReport Run(RecoveryDbBenchmarkOptions options, TextWriter output) =>
        RunAsync(options, output).GetAwaiter().GetResult();

    /// <summary>Runs every measurement, writing a table to <paramref name="output"/>.</summary>
    public static async Task<RecoveryDbBenchmarkReport> RunAsync(RecoveryDbBenchmarkOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Blocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Samples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinRecordsPerBlock, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRecordsPerBlock, options.MinRecordsPerBlock);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReadBatchBlocks, 1);

        var blocks = MakeBlocks(options);
        var records = blocks.Sum(b => (long)b.Length);
        var baseline = MeasureBaseline(blocks, options);
        var results = new List<RecoveryDbBenchmarkResult>();
        output.WriteLine($"recovery DB: {options.Blocks} blocks of {options.MinRecordsPerBlock}–{options.MaxRecordsPerBlock} records ({records} records, {PayloadSize}-byte payloads), {options.Samples} samples, reads in batches of {options.ReadBatchBlocks} blocks");
        output.WriteLine($"{"measurement",-44} {"records/s",12} {"baseline records/s",19} {"ratio",8}");

        if (options.Sqlite)
        {
            var directory = Directory.CreateTempSubdirectory("fog-recovery-bench-");
            try
            {
                var db = await new RecoveryDbBuilder().UseSqlite(Path.Combine(directory.FullName, "recovery.db")).BuildAsync(cancellationToken).ConfigureAwait(false);
                await using (db.ConfigureAwait(false))
                {
                    results.AddRange(await MeasureAsync("sqlite", db, blocks, options, baseline, output, cancellationToken).ConfigureAwait(false));
                }
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        }

        if (options.PostgresConnectionString is { } connectionString)
        {
            var schema = "fog_bench_" + Guid.NewGuid().ToString("N");
            var admin = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
            await ExecuteAsync(admin, $"CREATE SCHEMA {schema}", cancellationToken).ConfigureAwait(false);
            try
            {
                var scoped = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
                var db = await new RecoveryDbBuilder().UsePostgres(scoped).BuildAsync(cancellationToken).ConfigureAwait(false);
                await using (db.ConfigureAwait(false))
                {
                    results.AddRange(await MeasureAsync("postgres", db, blocks, options, baseline, output, cancellationToken).ConfigureAwait(false));
                }
            }
            finally
            {
                await ExecuteAsync(admin, $"DROP SCHEMA {schema} CASCADE", CancellationToken.None).ConfigureAwait(false);
            }
        }

        return new RecoveryDbBenchmarkReport(results, records, options.Blocks);
    }

    private static async Task<IReadOnlyList<RecoveryDbBenchmarkResult>> MeasureAsync(
        string backend, IRecoveryDb db, ETxOutRecord[][] blocks, RecoveryDbBenchmarkOptions options, (double Write, double Read) baseline, TextWriter output, CancellationToken cancellationToken)
    {
        var key = RistrettoPublic.FromUniformBytes(new Random(options.Seed).GetItems<byte>(AllBytes, 64));
        await db.NewIngressKeyAsync(key, 0, cancellationToken).ConfigureAwait(false);
        var iid = await db.NewIngestInvocationAsync(null, key, new KexRngPubkey(RistrettoPublic.FromUniformBytes(new byte[64]).Bytes.ToArray(), 0), 0, cancellationToken).ConfigureAwait(false);

        var writeRates = new List<double>();
        foreach (var group in Groups(blocks.Length, options.Samples))
        {
            var stopwatch = Stopwatch.StartNew();
            var count = 0L;
            foreach (var index in group)
            {
                var result = await db.AddBlockDataAsync(iid, (ulong)index, (ulong)index, (ulong)index, blocks[index], cancellationToken).ConfigureAwait(false);
                if (result.Status != AddBlockDataStatus.Added)
                {
                    throw new InvalidOperationException($"Block {index} was not added: {result.Status}.");
                }

                count += blocks[index].Length;
            }

            writeRates.Add(count / stopwatch.Elapsed.TotalSeconds);
        }

        var readRates = new List<double>();
        for (var sample = 0; sample < options.Samples; sample++)
        {
            var stopwatch = Stopwatch.StartNew();
            var count = 0L;
            for (var start = 0; start < blocks.Length; start += options.ReadBatchBlocks)
            {
                var range = new BlockRange((ulong)start, (ulong)Math.Min(blocks.Length, start + options.ReadBatchBlocks));
                var read = await db.GetTxOutsByBlockRangeAndKeyAsync(key, range, cancellationToken).ConfigureAwait(false);
                if ((ulong)read.Count != range.Length)
                {
                    throw new InvalidOperationException($"Read {read.Count} blocks of {range}.");
                }

                foreach (var block in read)
                {
                    count += block.Records.Count;
                }
            }

            readRates.Add(count / stopwatch.Elapsed.TotalSeconds);
        }

        var results = new[]
        {
            new RecoveryDbBenchmarkResult($"{backend}: write (one transaction per block)", Samples.Median(writeRates), baseline.Write),
            new RecoveryDbBenchmarkResult($"{backend}: read by block range", Samples.Median(readRates), baseline.Read),
        };
        foreach (var r in results)
        {
            output.WriteLine($"{r.Name,-44} {r.RecordsPerSecond,12:N0} {r.BaselineRecordsPerSecond,19:N0} {r.Ratio,8:F1}");
        }

        return results;
    }

    /// <summary>The same work without a database: encode each block into a dictionary, then look up and decode ranges.</summary>
    private static (double Write, double Read) MeasureBaseline(ETxOutRecord[][] blocks, RecoveryDbBenchmarkOptions options)
    {
        var store = new Dictionary<ulong, byte[]>();
        var writeRates = new List<double>();
        foreach (var group in Groups(blocks.Length, options.Samples))
        {
            var stopwatch = Stopwatch.StartNew();
            var count = 0L;
            foreach (var index in group)
            {
                if (!store.TryAdd((ulong)index, IngestedBlockData.Encode(blocks[index])))
                {
                    throw new InvalidOperationException("Duplicate block.");
                }

                count += blocks[index].Length;
            }

            writeRates.Add(count / stopwatch.Elapsed.TotalSeconds);
        }

        var readRates = new List<double>();
        for (var sample = 0; sample < options.Samples; sample++)
        {
            var stopwatch = Stopwatch.StartNew();
            var count = 0L;
            for (var start = 0; start < blocks.Length; start += options.ReadBatchBlocks)
            {
                var end = Math.Min(blocks.Length, start + options.ReadBatchBlocks);
                var batch = new List<ETxOutRecord[]>(end - start);
                for (var index = start; index < end && store.TryGetValue((ulong)index, out var blob); index++)
                {
                    if (!IngestedBlockData.TryDecode(blob, out var records))
                    {
                        throw new InvalidOperationException("Undecodable block.");
                    }

                    batch.Add(records);
                    count += records.Length;
                }
            }

            readRates.Add(count / stopwatch.Elapsed.TotalSeconds);
        }

        return (Samples.Median(writeRates), Samples.Median(readRates));
    }

    private static ETxOutRecord[][] MakeBlocks(RecoveryDbBenchmarkOptions options)
    {
        var random = new Random(options.Seed);
        var blocks = new ETxOutRecord[options.Blocks][];
        for (var b = 0; b < blocks.Length; b++)
        {
            var records = new ETxOutRecord[random.Next(options.MinRecordsPerBlock, options.MaxRecordsPerBlock + 1)];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = new ETxOutRecord(random.GetItems<byte>(AllBytes, ETxOutRecord.SearchKeySize), random.GetItems<byte>(AllBytes, PayloadSize));
            }

            blocks[b] = records;
        }

        return blocks;
    }

    /// <summary>Splits block indices 0..count-1 into <paramref name="groups"/> consecutive runs (fewer if there are fewer blocks).</summary>
    private static IEnumerable<IEnumerable<int>> Groups(int count, int groups)
    {
        groups = Math.Min(groups, count);
        for (var g = 0; g < groups; g++)
        {
            var start = (int)((long)count * g / groups);
            var end = (int)((long)count * (g + 1) / groups);
            yield return Enumerable.Range(start, end - start);
        }
    }


    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static readonly byte[] AllBytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
}
