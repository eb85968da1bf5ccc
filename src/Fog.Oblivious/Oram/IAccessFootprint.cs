namespace Fog.Oblivious.Oram;

/// <summary>
/// Benchmark support: copies, out and back, exactly the storage bytes one access touches (position-map
/// chain and every checked-out branch, at random leaves), without any of the ORAM logic. The time this
/// takes is the memory floor an ORAM access cannot beat on the same memory.
/// </summary>
internal unsafe interface IAccessFootprint
{
    /// <summary>Copies one access's footprint through <paramref name="scratch"/> and back.</summary>
    /// <param name="scratch">At least <see cref="FootprintScratchBytes"/> bytes.</param>
    /// <param name="randomBits">Source of the (public, random) leaves to touch.</param>
    /// <returns>Bytes copied in each direction.</returns>
    long CopyFootprint(byte* scratch, Func<ulong> randomBits);

    /// <summary>The largest single copy the footprint makes (scratch size needed).</summary>
    long FootprintScratchBytes { get; }
}
