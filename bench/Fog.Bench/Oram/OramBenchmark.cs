using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Fog.Oblivious.Maps;
using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;

namespace Fog.Bench.Oram;

/// <summary>One timed configuration.</summary>
/// <param name="Shape">view, ingest or key-image.</param>
/// <param name="CapacityLog2">Requested capacity as a power of two.</param>
/// <param name="Capacity">The map's real capacity.</param>
/// <param name="Engine">Evictor (and storage when not in memory).</param>
/// <param name="Operation">read or access_and_insert.</param>
/// <param name="MedianMicroseconds">Median latency of one operation.</param>
/// <param name="P99Microseconds">99th percentile latency.</param>
/// <param name="OperationsPerSecond">Throughput from the mean latency.</param>
/// <param name="AllocatedBytesPerOperation">Managed allocation per operation.</param>
/// <param name="DictionaryMedianMicroseconds">A plain <see cref="Dictionary{TKey, TValue}"/> doing the same operations.</param>
/// <param name="FloorMedianMicroseconds">Copying out and back exactly the bytes the operation's ORAM accesses touch.</param>
/// <param name="FloorBytes">Those bytes (one direction).</param>
public sealed record OramMeasurement(
    string Shape,
    int CapacityLog2,
    ulong Capacity,
    string Engine,
    string Operation,
    double MedianMicroseconds,
    double P99Microseconds,
    double OperationsPerSecond,
    double AllocatedBytesPerOperation,
    double DictionaryMedianMicroseconds,
    double FloorMedianMicroseconds,
    long FloorBytes);

/// <summary>Stash occupancy right after each insertion (the per-access peak), over many accesses.</summary>
/// <param name="Evictor">The evictor.</param>
/// <param name="Log2Blocks">ORAM size.</param>
/// <param name="Accesses">Accesses measured (after one access to every block).</param>
/// <param name="Histogram">Count per occupancy 0 … stash size.</param>
/// <param name="Maximum">Largest occupancy seen.</param>
/// <param name="StashSize">Stash slots.</param>
/// <param name="MedianAccessMicroseconds">Median ORAM access time during the run.</param>
public sealed record StashMeasurement(string Evictor, int Log2Blocks, long Accesses, IReadOnlyList<long> Histogram, int Maximum, int StashSize, double MedianAccessMicroseconds);

/// <summary>Everything one run measured.</summary>
/// <param name="Measurements">Timed configurations.</param>
/// <param name="Stash">Stash histograms.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record OramBenchmarkReport(IReadOnlyList<OramMeasurement> Measurements, IReadOnlyList<StashMeasurement> Stash, TimeSpan Elapsed);

/// <summary>
/// The in-process ORAM benchmark behind <c>fog bench oram</c>: oblivious-map operations for the three
/// Fog shapes at several capacities and for both evictors, each next to a plain dictionary doing the same
/// operations and to the memory floor (copying the bytes the operation must touch), all in the same run;
/// plus stash-occupancy histograms at Fog's parameters.
/// </summary>
public static class OramBenchmark
{
    /// <summary>
    /// Runs the benchmark and prints its tables (or, with <see cref="OramBenchmarkOptions.SummaryOnly"/>,
    /// one line per shape at the largest capacity measured, then one line per stash histogram).
    /// </summary>
    /// <param name="options">What to measure.</param>
    /// <param name="output">Where to print.</param>
    /// <returns>The measurements.</returns>
    public static OramBenchmarkReport Run(OramBenchmarkOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var clock = Stopwatch.StartNew();
        output.WriteLine(FormattableString.Invariant(
            $"ORAM benchmark: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores, {RuntimeInformation.ProcessArchitecture}, AVX-512 {(Vector512.IsHardwareAccelerated ? "yes" : "no")}; single thread; in-memory storage unless noted."));

        var measurements = new List<OramMeasurement>();
        foreach (var shape in options.Shapes)
        {
            foreach (var log2 in options.CapacityLog2)
            {
                foreach (var evictor in options.Evictors)
                {
                    measurements.AddRange(MeasureMap(options, shape, log2, evictor, OramStorageKind.InMemory, output));
                }
            }
        }

        if (options.IncludeUntrusted && options.Shapes.Contains("view") && options.CapacityLog2.Count > 0)
        {
            measurements.AddRange(MeasureMap(options, "view", options.CapacityLog2.Max(), EvictorKind.Circuit, OramStorageKind.Untrusted, output));
        }

        var stash = new List<StashMeasurement>();
        foreach (var evictor in options.Evictors)
        {
            var accesses = evictor == EvictorKind.Circuit ? options.StashAccesses : options.BaselineStashAccesses;
            if (accesses > 0)
            {
                stash.Add(MeasureStash(evictor, options.StashLog2Blocks, accesses, options.Seed));
            }
        }

        var report = new OramBenchmarkReport(measurements, stash, clock.Elapsed);
        if (options.SummaryOnly)
        {
            WriteSummary(report, output);
        }
        else
        {
            WriteTables(report, output);
        }

        return report;
    }

    private static IEnumerable<OramMeasurement> MeasureMap(OramBenchmarkOptions options, string shapeName, int log2, EvictorKind evictor, OramStorageKind storage, TextWriter output)
    {
        var shape = shapeName switch
        {
            "view" => ObliviousMapShape.View,
            "ingest" => ObliviousMapShape.Ingest,
            "key-image" => ObliviousMapShape.KeyImage,
            _ => throw new ArgumentException($"Unknown shape '{shapeName}'.", nameof(options)),
        };
        using var random = SeededRandomSource.FromTestSeed(options.Seed ^ ((ulong)log2 << 8) ^ (ulong)shape.KeySize);
        var mapOptions = ObliviousMapOptions.For(shape, 1UL << log2) with
        {
            Evictor = evictor,
            Storage = new OramStorageOptions { Kind = storage, Prefault = true },
        };
        using var map = new CuckooObliviousMap(mapOptions, random);
        var engine = Name(evictor) + (storage == OramStorageKind.Untrusted ? "/untrusted" : string.Empty);

        // Prefill the map and the dictionary with the same random items.
        var prefill = (int)Math.Min((ulong)options.Prefill, map.Capacity / 2);
        var present = new byte[prefill][];
        var dictionary = new Dictionary<FixedKey, byte[]>(prefill * 2);
        for (var i = 0; i < prefill; i++)
        {
            present[i] = RandomKey(random, shape.KeySize);
            var value = new byte[shape.ValueSize];
            random.Fill(value);
            if (map.VarTimeWrite(present[i], value, allowOverwrite: false) == ObliviousMapStatus.NotFound)
            {
                dictionary[new FixedKey(present[i])] = value;
            }
        }

        var total = options.Warmup + options.Operations;
        var keys = new byte[total][];
        for (var i = 0; i < total; i++)
        {
            keys[i] = i % 2 == 0 && prefill > 0 ? present[(i / 2) % prefill] : RandomKey(random, shape.KeySize);
        }

        var results = new List<OramMeasurement>();
        var floorTables = new[] { (IAccessFootprint)map.Table1, (IAccessFootprint)map.Table2 };

        // Read.
        var output1 = new byte[shape.ValueSize];
        var (median, p99, perSecond, allocated) = Time(options, i => map.Read(keys[i], output1));
        var dictionaryMedian = TimeDictionary(options, i =>
        {
            if (dictionary.TryGetValue(new FixedKey(keys[i]), out var v))
            {
                v.CopyTo(output1, 0);
            }
        });
        var (floor, floorBytes) = TimeFloor(options, floorTables, accesses: 2, random, storage);
        results.Add(new OramMeasurement(shapeName, log2, map.Capacity, engine, "read", median, p99, perSecond, allocated, dictionaryMedian, floor, floorBytes));
        Progress(options, output, results[^1]);

        if (shapeName == "ingest" && storage == OramStorageKind.InMemory)
        {
            var defaultValue = new byte[shape.ValueSize];
            var increment = default(IncrementCounter);
            (median, p99, perSecond, allocated) = Time(options, i => map.AccessAndInsert(keys[i], defaultValue, ref increment));
            var decoy = new byte[shape.KeySize];
            dictionaryMedian = TimeDictionary(options, i =>
            {
                var key = new FixedKey(keys[i]);
                dictionary.TryGetValue(key, out var v);
                var counter = v is null ? 0 : BitConverter.ToUInt64(v);
                dictionary[key] = BitConverter.GetBytes(counter + 1);
                random.Fill(decoy);
                dictionary.TryAdd(new FixedKey(decoy), defaultValue);
            });

            // A read plus two writes that each hold both tables: six ORAM accesses (more when kicks happen).
            (floor, floorBytes) = TimeFloor(options, floorTables, accesses: 6, random, storage);
            results.Add(new OramMeasurement(shapeName, log2, map.Capacity, engine, "access_and_insert", median, p99, perSecond, allocated, dictionaryMedian, floor, floorBytes));
            Progress(options, output, results[^1]);
        }

        return results;
    }

    private static (double Median, double P99, double PerSecond, double Allocated) Time(OramBenchmarkOptions options, Action<int> operation)
    {
        for (var i = 0; i < options.Warmup; i++)
        {
            operation(i);
        }

        var samples = new double[options.Operations];
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < options.Operations; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            operation(options.Warmup + i);
            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }

        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)options.Operations;
        Array.Sort(samples);
        return (Percentile(samples, 0.5), Percentile(samples, 0.99), options.Operations / elapsed, allocated);
    }

    private static double TimeDictionary(OramBenchmarkOptions options, Action<int> operation)
    {
        const int batch = 64;
        var batches = Math.Max(1, options.Operations / batch);
        var samples = new double[batches * 4];
        for (var round = 0; round < samples.Length; round++)
        {
            var first = options.Warmup + (round % batches * batch);
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < batch; i++)
            {
                operation(first + (i % options.Operations));
            }

            samples[round] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / batch;
        }

        Array.Sort(samples);
        return Percentile(samples, 0.5);
    }

    private static unsafe (double Median, long Bytes) TimeFloor(OramBenchmarkOptions options, IAccessFootprint[] tables, int accesses, RandomSource random, OramStorageKind storage)
    {
        if (storage != OramStorageKind.InMemory)
        {
            // Untrusted checkouts decrypt; their "floor" would include the crypto. Report the in-memory floor only.
            return (double.NaN, 0);
        }

        var size = (nuint)tables.Max(t => t.FootprintScratchBytes);
        var scratch = (byte*)NativeMemory.AlignedAlloc(size, 64);
        try
        {
            Func<ulong> bits = random.NextUInt64;
            var samples = new double[Math.Max(200, options.Operations / 2)];
            long bytes = 0;
            for (var i = 0; i < samples.Length + 20; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                bytes = 0;
                for (var a = 0; a < accesses; a++)
                {
                    bytes += tables[a % 2].CopyFootprint(scratch, bits);
                }

                if (i >= 20)
                {
                    samples[i - 20] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                }
            }

            Array.Sort(samples);
            return (Percentile(samples, 0.5), bytes);
        }
        finally
        {
            NativeMemory.AlignedFree(scratch);
        }
    }

    private static StashMeasurement MeasureStash(EvictorKind evictor, int log2Blocks, long accesses, ulong seed)
    {
        using var random = SeededRandomSource.FromTestSeed(seed ^ 0x5747);
        var options = new OramOptions { Evictor = evictor, Storage = new OramStorageOptions { Prefault = true } };
        using var oram = OramFactory.Create(1UL << log2Blocks, options, random);
        var diagnostics = (IOramDiagnostics)oram;
        for (ulong i = 0; i < oram.Length; i++)
        {
            oram.BeginAccess(i);
            oram.EndAccess();
        }

        var histogram = new long[diagnostics.StashSize + 1];
        diagnostics.VarTimeStashObserver = n => histogram[n]++;
        var sampleEvery = Math.Max(1, accesses / 20_000);
        var samples = new List<double>();
        for (long a = 0; a < accesses; a++)
        {
            var index = random.NextUInt64() & (oram.Length - 1);
            var t0 = Stopwatch.GetTimestamp();
            oram.BeginAccess(index);
            oram.EndAccess();
            if (a % sampleEvery == 0)
            {
                samples.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }
        }

        diagnostics.VarTimeStashObserver = null;
        samples.Sort();
        var maximum = Array.FindLastIndex(histogram, c => c > 0);
        return new StashMeasurement(Name(evictor), log2Blocks, accesses, histogram, maximum, diagnostics.StashSize, Percentile(samples.ToArray(), 0.5));
    }

    private static void WriteTables(OramBenchmarkReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("Oblivious map operations (median and p99 latency; ops/s from the mean; 'dict' = Dictionary doing the same operations;");
        output.WriteLine("'floor' = reading once and writing back once every byte the operation's ORAM accesses touch, on the same memory; 'vs baseline' = Path ORAM evictor / this):");
        var table = new TablePrinter("shape", ">capacity", "engine", "operation", ">median µs", ">p99 µs", ">ops/s", ">alloc B/op", ">dict µs", ">÷ dict", ">floor µs", ">÷ floor", ">floor KiB", ">vs baseline");
        foreach (var m in report.Measurements)
        {
            var baseline = report.Measurements.FirstOrDefault(b => b.Shape == m.Shape && b.CapacityLog2 == m.CapacityLog2 && b.Operation == m.Operation && b.Engine == Name(EvictorKind.PathOram));
            table.Add(
                m.Shape,
                $"2^{m.CapacityLog2} ({m.Capacity.ToString("N0", CultureInfo.InvariantCulture)})",
                m.Engine,
                m.Operation,
                Micro(m.MedianMicroseconds),
                Micro(m.P99Microseconds),
                m.OperationsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                m.AllocatedBytesPerOperation.ToString("F0", CultureInfo.InvariantCulture),
                Micro(m.DictionaryMedianMicroseconds),
                Ratio(m.MedianMicroseconds / m.DictionaryMedianMicroseconds),
                Micro(m.FloorMedianMicroseconds),
                Ratio(m.MedianMicroseconds / m.FloorMedianMicroseconds),
                m.FloorBytes == 0 ? "-" : (m.FloorBytes / 1024.0).ToString("F0", CultureInfo.InvariantCulture),
                baseline is null || baseline == m ? "-" : Ratio(baseline.MedianMicroseconds / m.MedianMicroseconds));
        }

        table.WriteTo(output);
        WriteStash(report, output);
        output.WriteLine(FormattableString.Invariant($"Elapsed: {report.Elapsed.TotalSeconds:F1} s"));
    }

    private static void WriteSummary(OramBenchmarkReport report, TextWriter output)
    {
        foreach (var shape in report.Measurements.Select(m => m.Shape).Distinct())
        {
            var log2 = report.Measurements.Where(m => m.Shape == shape).Max(m => m.CapacityLog2);
            var parts = new List<string>();
            foreach (var operation in report.Measurements.Where(m => m.Shape == shape && m.CapacityLog2 == log2).Select(m => m.Operation).Distinct())
            {
                var rows = report.Measurements.Where(m => m.Shape == shape && m.CapacityLog2 == log2 && m.Operation == operation).ToList();
                var fast = rows.FirstOrDefault(m => m.Engine == Name(EvictorKind.Circuit)) ?? rows[0];
                var slow = rows.FirstOrDefault(m => m.Engine == Name(EvictorKind.PathOram));
                var text = FormattableString.Invariant($"{operation} {fast.Engine} {Micro(fast.MedianMicroseconds)} µs ({fast.OperationsPerSecond:N0}/s)");
                if (slow is not null && slow != fast)
                {
                    text += FormattableString.Invariant($", {slow.Engine} {Micro(slow.MedianMicroseconds)} µs ({Ratio(slow.MedianMicroseconds / fast.MedianMicroseconds)} slower)");
                }

                text += FormattableString.Invariant($", dict {Micro(fast.DictionaryMedianMicroseconds)} µs, floor {Micro(fast.FloorMedianMicroseconds)} µs");
                parts.Add(text);
            }

            output.WriteLine(FormattableString.Invariant($"{shape,-9} 2^{log2}: ") + string.Join("  |  ", parts));
        }

        foreach (var s in report.Stash)
        {
            output.WriteLine(FormattableString.Invariant($"stash     {s.Evictor}: max {s.Maximum} of {s.StashSize} over {s.Accesses:N0} accesses (2^{s.Log2Blocks} blocks)"));
        }
    }

    private static void WriteStash(OramBenchmarkReport report, TextWriter output)
    {
        foreach (var s in report.Stash)
        {
            output.WriteLine();
            output.WriteLine(FormattableString.Invariant(
                $"Stash occupancy after each insertion, {s.Evictor} evictor, 2^{s.Log2Blocks} blocks of 1 KiB, Z = 4, stash {s.StashSize}, {s.Accesses:N0} accesses after touching every block (median access {Micro(s.MedianAccessMicroseconds)} µs): maximum {s.Maximum}."));
            var table = new TablePrinter(">occupancy", ">accesses", ">fraction");
            for (var n = 0; n < s.Histogram.Count; n++)
            {
                if (s.Histogram[n] > 0)
                {
                    table.Add(n.ToString(CultureInfo.InvariantCulture), s.Histogram[n].ToString("N0", CultureInfo.InvariantCulture), (s.Histogram[n] / (double)s.Accesses).ToString("E2", CultureInfo.InvariantCulture));
                }
            }

            table.WriteTo(output);
        }
    }

    private static void Progress(OramBenchmarkOptions options, TextWriter output, OramMeasurement m)
    {
        if (!options.SummaryOnly)
        {
            output.WriteLine(FormattableString.Invariant(
                $"  {m.Shape,-9} 2^{m.CapacityLog2,-2} {m.Engine,-17} {m.Operation,-17} median {Micro(m.MedianMicroseconds),8} µs  dict {Micro(m.DictionaryMedianMicroseconds)} µs  floor {Micro(m.FloorMedianMicroseconds)} µs"));
        }
    }

    private static string Name(EvictorKind evictor) => evictor == EvictorKind.Circuit ? "circuit" : "path-oram";

    private static string Micro(double value) =>
        double.IsNaN(value) ? "-" : value < 10 ? value.ToString("F2", CultureInfo.InvariantCulture) : value.ToString("F1", CultureInfo.InvariantCulture);

    private static string Ratio(double value) => double.IsNaN(value) || double.IsInfinity(value) ? "-" : value.ToString("F1", CultureInfo.InvariantCulture) + "x";

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

    private static byte[] RandomKey(RandomSource random, int size)
    {
        var key = new byte[size];
        random.Fill(key);
        key[0] |= 1;
        return key;
    }

    private struct IncrementCounter : IObliviousMapAccessor
    {
        public readonly void Access(uint status, Span<byte> value) =>
            BitConverter.TryWriteBytes(value, BitConverter.ToUInt64(value) + 1);
    }

    /// <summary>A dictionary key for up to 32 key bytes.</summary>
    private readonly record struct FixedKey(ulong A, ulong B, ulong C, ulong D)
    {
        public FixedKey(ReadOnlySpan<byte> key)
            : this(Word(key, 0), Word(key, 8), Word(key, 16), Word(key, 24))
        {
        }

        private static ulong Word(ReadOnlySpan<byte> key, int offset) =>
            key.Length >= offset + 8 ? BitConverter.ToUInt64(key[offset..]) : 0;
    }
}
