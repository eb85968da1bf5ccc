using Fog.Oblivious.Oram;

namespace Fog.Bench.Oram;

/// <summary>What <see cref="OramBenchmark.Run"/> measures. Defaults are the full run; <see cref="QuickRun"/> fits in a minute.</summary>
public sealed record OramBenchmarkOptions
{
    /// <summary>Map capacities to measure, as powers of two. Default 16, 18, 20, 22.</summary>
    public IReadOnlyList<int> CapacityLog2 { get; init; } = [16, 18, 20, 22];

    /// <summary>Shapes to measure: any of "view", "ingest", "key-image". Default all three.</summary>
    public IReadOnlyList<string> Shapes { get; init; } = ["view", "ingest", "key-image"];

    /// <summary>Evictors to measure. Default both (Circuit first, the Path ORAM baseline second).</summary>
    public IReadOnlyList<EvictorKind> Evictors { get; init; } = [EvictorKind.Circuit, EvictorKind.PathOram];

    /// <summary>Timed operations per configuration (after warm-up). Default 2000.</summary>
    public int Operations { get; init; } = 2000;

    /// <summary>Untimed operations before timing. Default 200.</summary>
    public int Warmup { get; init; } = 200;

    /// <summary>Items written before timing (capped at half the capacity); lookups alternate present and absent keys. Default 4096.</summary>
    public int Prefill { get; init; } = 4096;

    /// <summary>Also time the view read on untrusted (encrypted) storage at the largest capacity, Circuit evictor. Default true.</summary>
    public bool IncludeUntrusted { get; init; } = true;

    /// <summary>Accesses for the stash histogram of the Circuit evictor (after filling every block). Default 10^6.</summary>
    public long StashAccesses { get; init; } = 1_000_000;

    /// <summary>Accesses for the stash histogram of the Path ORAM baseline. Default 2·10^5 (it is about 4× slower per access).</summary>
    public long BaselineStashAccesses { get; init; } = 200_000;

    /// <summary>Blocks (log2) of the ORAM used for the stash histogram, with Fog's parameters (1 KiB values, Z = 4, stash 32). Default 16.</summary>
    public int StashLog2Blocks { get; init; } = 16;

    /// <summary>Seed of the deterministic generator used for keys and the engines. Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Print one summary line per shape (the <c>--quick</c> format) instead of the full tables.</summary>
    public bool SummaryOnly { get; init; }

    /// <summary>
    /// The <c>--quick</c> run: capacity 2^20 (Fog's default view and ledger size), both evictors, 300
    /// operations, a short stash run; about 10 seconds on the 2-core dev machine, always under a minute.
    /// </summary>
    public static OramBenchmarkOptions QuickRun => new()
    {
        CapacityLog2 = [20],
        Operations = 300,
        Warmup = 50,
        Prefill = 512,
        IncludeUntrusted = false,
        StashAccesses = 20_000,
        BaselineStashAccesses = 5_000,
        StashLog2Blocks = 12,
        SummaryOnly = true,
    };
}
