using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Oram;

/// <summary>
/// Parameters of a tree ORAM and its position-map recursion. The defaults are Fog's data-ORAM
/// parameters (1 KiB values, Z = 4, 4 KiB buckets, stash 32) with the faster Circuit evictor.
/// </summary>
public sealed record OramOptions
{
    /// <summary>Bytes per value. Default 1024.</summary>
    public int ValueSize { get; init; } = 1024;

    /// <summary>Values per bucket (Z). Default 4.</summary>
    public int BucketCapacity { get; init; } = 4;

    /// <summary>Stash slots. Default 32, as Fog.</summary>
    public int StashSize { get; init; } = 32;

    /// <summary>Eviction strategy. Default <see cref="EvictorKind.Circuit"/>.</summary>
    public EvictorKind Evictor { get; init; } = EvictorKind.Circuit;

    /// <summary>
    /// Deterministic reverse-lexicographic branches evicted per access besides the accessed branch.
    /// Null (the default) means 1 for Circuit ORAM and 0 for the Path ORAM baseline.
    /// </summary>
    public int? ExtraEvictionBranches { get; init; }

    /// <summary>Bytes per value of position-map ORAMs (each holds ValueSize / 4 leaves). Default 1024, as the reference.</summary>
    public int PositionMapValueSize { get; init; } = 1024;

    /// <summary>Position maps with at most this many entries are linear scans instead of ORAMs. Default 4096, as the reference.</summary>
    public int LinearScanThreshold { get; init; } = 4096;

    /// <summary>Storage settings, shared by the position-map ORAMs.</summary>
    public OramStorageOptions Storage { get; init; } = new();

    /// <summary>The number of extra eviction branches actually used.</summary>
    public int ResolvedExtraEvictionBranches => ExtraEvictionBranches ?? (Evictor == EvictorKind.Circuit ? 1 : 0);
}
