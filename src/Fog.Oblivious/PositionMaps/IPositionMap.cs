namespace Fog.Oblivious.PositionMaps;

/// <summary>
/// The position map of a tree ORAM: for each block, the leaf it is currently assigned to.
/// </summary>
/// <remarks>
/// Security: <see cref="Write"/> must be oblivious in the index and both leaves. Entries never written
/// hold 0 and are reported as a fresh uniformly random leaf (lazy initialisation), so a block that
/// was never written is looked up along a random branch like any other.
/// </remarks>
public interface IPositionMap : IDisposable
{
    /// <summary>Number of entries (public).</summary>
    ulong Length { get; }

    /// <summary>Assigns <paramref name="newLeaf"/> to <paramref name="index"/> and returns the previous leaf.</summary>
    /// <param name="index">Secret index in [0, <see cref="Length"/>).</param>
    /// <param name="newLeaf">Secret new leaf (a node index of the mapped tree), drawn from a CSPRNG.</param>
    /// <returns>The previous leaf, or a fresh random leaf if the entry was never written.</returns>
    /// <remarks>Security: the memory trace is independent of the index and of both leaves.</remarks>
    uint Write(ulong index, uint newLeaf);
}
