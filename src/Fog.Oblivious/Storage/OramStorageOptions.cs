namespace Fog.Oblivious.Storage;

/// <summary>Where ORAM buckets live.</summary>
public enum OramStorageKind
{
    /// <summary>Everything in trusted memory, unencrypted (as the reference's heap storage and SGX EPC).</summary>
    InMemory,

    /// <summary>
    /// The top of the tree in trusted memory; deeper levels in untrusted (host) memory, encrypted with
    /// AES-256-GCM and checked against per-bucket version counters kept in trusted memory.
    /// </summary>
    Untrusted,
}

/// <summary>Settings shared by every storage an ORAM (and its position-map ORAMs) creates.</summary>
public sealed record OramStorageOptions
{
    /// <summary>Default size of the trusted top region per storage: 32 MiB, as Fog's treetop caching.</summary>
    public const long DefaultTrustedTopBytes = 32L << 20;

    /// <summary>Where buckets live. Default <see cref="OramStorageKind.InMemory"/>.</summary>
    public OramStorageKind Kind { get; init; } = OramStorageKind.InMemory;

    /// <summary>
    /// For <see cref="OramStorageKind.Untrusted"/>: how many levels from the root stay in trusted memory.
    /// When null (the default), as many levels as fit in <see cref="TrustedTopBytes"/>.
    /// </summary>
    public int? TrustedTopLevels { get; init; }

    /// <summary>Budget for the trusted top region when <see cref="TrustedTopLevels"/> is null. Default 32 MiB.</summary>
    public long TrustedTopBytes { get; init; } = DefaultTrustedTopBytes;

    /// <summary>
    /// Creates the host side of untrusted storage from (record count, record size). Default: plain
    /// process memory (<see cref="HostMemoryBucketStore"/>). Tests pass a store that can tamper.
    /// </summary>
    public Func<long, int, IUntrustedBucketStore>? HostFactory { get; init; }

    /// <summary>Touch every page at construction so measurements do not include first-touch page faults. Default false.</summary>
    public bool Prefault { get; init; }

    /// <summary>Records every access when set (tests and benchmarks only).</summary>
    public AccessTrace? Trace { get; init; }

    /// <summary>The number of trusted levels for a tree of <paramref name="geometry"/>.</summary>
    /// <param name="geometry">The tree.</param>
    /// <returns>Levels kept in trusted memory (at most the whole tree).</returns>
    public int ResolveTrustedTopLevels(OramGeometry geometry)
    {
        if (Kind == OramStorageKind.InMemory)
        {
            return geometry.BranchLength;
        }

        int levels;
        if (TrustedTopLevels is { } explicitLevels)
        {
            if (explicitLevels < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(TrustedTopLevels), "Must be zero or more.");
            }

            levels = explicitLevels;
        }
        else
        {
            // As the reference's treetop: the budget counts bucket values only (32 MiB / 4 KiB = 8192
            // nodes, i.e. the top 13 levels).
            var buckets = Math.Max(2, TrustedTopBytes / geometry.BucketDataSize);
            levels = (int)long.Log2(buckets);
        }

        return Math.Min(levels, geometry.BranchLength);
    }
}
