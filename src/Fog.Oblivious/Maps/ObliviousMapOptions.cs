using Fog.Oblivious.Oram;
using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Maps;

/// <summary>
/// Construction parameters of <see cref="CuckooObliviousMap"/>. Defaults: the Fog view shape, capacity
/// 2^20, 1 KiB buckets, Circuit ORAM eviction, in-memory storage, stash 32.
/// </summary>
public sealed record ObliviousMapOptions
{
    /// <summary>Bytes per key. Default 16.</summary>
    public int KeySize { get; init; } = 16;

    /// <summary>Bytes per value. Default 240.</summary>
    public int ValueSize { get; init; } = 240;

    /// <summary>
    /// Desired capacity. The real <see cref="IObliviousMap.Capacity"/> is 2 · buckets per table · pairs
    /// per bucket, with the bucket count rounded up to a power of two (as the reference), so it can be
    /// up to twice this. Default 2^20.
    /// </summary>
    public ulong Capacity { get; init; } = 1UL << 20;

    /// <summary>Bytes per hash-table bucket (one ORAM value). Default 1024, as Fog.</summary>
    public int BucketSize { get; init; } = 1024;

    /// <summary>ORAM eviction strategy. Default <see cref="EvictorKind.Circuit"/>.</summary>
    public EvictorKind Evictor { get; init; } = EvictorKind.Circuit;

    /// <summary>Extra eviction branches per ORAM access; null for the evictor's default.</summary>
    public int? ExtraEvictionBranches { get; init; }

    /// <summary>ORAM stash slots. Default 32, as Fog.</summary>
    public int StashSize { get; init; } = 32;

    /// <summary>Where the ORAM trees live (in memory, or untrusted below a trusted top) and optional tracing.</summary>
    public OramStorageOptions Storage { get; init; } = new();

    /// <summary>Bytes per value of position-map ORAMs. Default 1024, as the reference.</summary>
    public int PositionMapValueSize { get; init; } = 1024;

    /// <summary>Position maps with at most this many entries are linear scans. Default 4096, as the reference.</summary>
    public int LinearScanThreshold { get; init; } = 4096;

    /// <summary>Cuckoo kicks tried before rolling back with Overflow. Default 6, as the reference.</summary>
    public int MaxEvictionRetries { get; init; } = 6;

    /// <summary>Options with a Fog shape and capacity, other settings default.</summary>
    /// <param name="shape">Key and value sizes.</param>
    /// <param name="capacity">Desired capacity.</param>
    /// <returns>The options.</returns>
    public static ObliviousMapOptions For(ObliviousMapShape shape, ulong capacity) =>
        new() { KeySize = shape.KeySize, ValueSize = shape.ValueSize, Capacity = capacity };

    /// <summary>The ORAM options both tables use.</summary>
    /// <returns>The options.</returns>
    public OramOptions ToOramOptions() => new()
    {
        ValueSize = BucketSize,
        Evictor = Evictor,
        ExtraEvictionBranches = ExtraEvictionBranches,
        StashSize = StashSize,
        Storage = Storage,
        PositionMapValueSize = PositionMapValueSize,
        LinearScanThreshold = LinearScanThreshold,
    };
}
