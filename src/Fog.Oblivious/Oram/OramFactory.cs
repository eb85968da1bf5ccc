using Fog.Oblivious.PositionMaps;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Oram;

/// <summary>
/// Builds tree ORAMs with their recursive position maps: a map with more than
/// <see cref="OramOptions.LinearScanThreshold"/> entries is itself stored in an ORAM of
/// <see cref="OramOptions.PositionMapValueSize"/>-byte values, with the same storage kind and evictor,
/// until it is small enough to scan.
/// </summary>
public static class OramFactory
{
    /// <summary>Creates an ORAM of <paramref name="length"/> values.</summary>
    /// <param name="length">Number of values; a power of two.</param>
    /// <param name="options">Parameters.</param>
    /// <param name="random">CSPRNG shared by the ORAM, its position maps and its storage keys (not owned).</param>
    /// <param name="label">Name of this ORAM's storage in the access trace; position maps get <c>/pos</c> suffixes.</param>
    /// <returns>The ORAM; dispose it to release its memory.</returns>
    /// <remarks>Security: the structure (sizes, recursion depth) depends only on public parameters.</remarks>
    public static IOram Create(ulong length, OramOptions options, RandomSource random, string label = "oram")
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        var geometry = OramGeometry.ForBlockCount(length, options.BucketCapacity, options.ValueSize);
        var positionMap = CreatePositionMap(length, geometry.Height, options, random, label);
        try
        {
            return (options.Storage.Kind, options.Evictor) switch
            {
                (OramStorageKind.InMemory, EvictorKind.Circuit) => new PathOram<HeapOramStorage, CircuitOramEvictor>(
                    length, new HeapOramStorage(geometry, options.Storage, label), new CircuitOramEvictor(options.ResolvedExtraEvictionBranches), positionMap, random, options.StashSize),
                (OramStorageKind.InMemory, EvictorKind.PathOram) => new PathOram<HeapOramStorage, PathOramEvictor>(
                    length, new HeapOramStorage(geometry, options.Storage, label), new PathOramEvictor(options.ResolvedExtraEvictionBranches), positionMap, random, options.StashSize),
                (OramStorageKind.Untrusted, EvictorKind.Circuit) => new PathOram<UntrustedOramStorage, CircuitOramEvictor>(
                    length, new UntrustedOramStorage(geometry, options.Storage, random, label), new CircuitOramEvictor(options.ResolvedExtraEvictionBranches), positionMap, random, options.StashSize),
                (OramStorageKind.Untrusted, EvictorKind.PathOram) => new PathOram<UntrustedOramStorage, PathOramEvictor>(
                    length, new UntrustedOramStorage(geometry, options.Storage, random, label), new PathOramEvictor(options.ResolvedExtraEvictionBranches), positionMap, random, options.StashSize),
                _ => throw new ArgumentOutOfRangeException(nameof(options), "Unknown storage or evictor kind."),
            };
        }
        catch
        {
            positionMap.Dispose();
            throw;
        }
    }

    /// <summary>Creates the position map for a tree of <paramref name="height"/> holding <paramref name="length"/> blocks.</summary>
    /// <param name="length">Entries.</param>
    /// <param name="height">Height of the mapped tree.</param>
    /// <param name="options">Parameters (threshold, value size, storage, evictor).</param>
    /// <param name="random">CSPRNG.</param>
    /// <param name="label">Label of the mapped ORAM.</param>
    /// <returns>A linear-scan map or an ORAM-backed map.</returns>
    public static IPositionMap CreatePositionMap(ulong length, int height, OramOptions options, RandomSource random, string label)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (length <= (ulong)options.LinearScanThreshold)
        {
            return new LinearScanPositionMap(length, height, random, options.Storage.Trace, label + "/scan");
        }

        var entriesPerValue = (ulong)(options.PositionMapValueSize / sizeof(uint));
        var innerLength = Math.Max(1, length / entriesPerValue);
        var inner = Create(innerLength, options with { ValueSize = options.PositionMapValueSize }, random, label + "/pos");
        return new OramPositionMap(length, height, inner, random);
    }
}
