using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Oram;

/// <summary>
/// An eviction strategy for tree ORAM: moves blocks from the stash (and within a branch) toward the
/// leaves, obliviously. Implementations are structs so that <see cref="PathOram{TStorage, TEvictor}"/>
/// is specialised for each by the JIT.
/// </summary>
/// <remarks>
/// Security: an evictor must touch the same metadata words and the same value bytes, in the same order,
/// whatever the stash and branch contain; the branches it asks for (<see cref="NextExtraBranchLeaf"/>)
/// must not depend on secrets.
/// </remarks>
public interface IEvictor : IDisposable
{
    /// <summary>Branches evicted per access in addition to the accessed branch.</summary>
    int ExtraBranchCount { get; }

    /// <summary>Allocates scratch space for a tree of <paramref name="geometry"/> and a stash of <paramref name="stashSize"/> slots.</summary>
    /// <param name="geometry">Tree shape.</param>
    /// <param name="stashSize">Stash slots.</param>
    void Initialize(OramGeometry geometry, int stashSize);

    /// <summary>The leaf of the next extra branch to evict (a public, deterministic sequence).</summary>
    /// <returns>A leaf node index.</returns>
    ulong NextExtraBranchLeaf();

    /// <summary>Evicts from <paramref name="stash"/> into the checked-out <paramref name="branch"/> of <paramref name="leaf"/>.</summary>
    /// <param name="stash">The ORAM's stash.</param>
    /// <param name="branch">The checked-out branch.</param>
    /// <param name="leaf">The branch's leaf (public).</param>
    /// <remarks>Security: visits every stash and branch slot in a fixed order; every decision is a mask.</remarks>
    void Evict(in Stash stash, in Branch branch, ulong leaf);
}

/// <summary>Which eviction strategy an ORAM uses.</summary>
public enum EvictorKind
{
    /// <summary>
    /// The reference Path ORAM eviction (greedy, as mc-oblivious implements it): pack the branch toward
    /// the leaf and insert every stash slot, each candidate move a 1 KiB conditional copy. Costs about
    /// Z²L²/2 + S·L·Z value moves per access; kept as the baseline.
    /// </summary>
    PathOram,

    /// <summary>
    /// Circuit ORAM eviction: plan on metadata (two linear scans), then one root-to-leaf pass that
    /// carries at most one block, so each level costs about 2Z + 2 value moves. Evicts the accessed
    /// branch plus <see cref="OramOptions.ExtraEvictionBranches"/> deterministic reverse-lexicographic
    /// branches per access.
    /// </summary>
    Circuit,
}
