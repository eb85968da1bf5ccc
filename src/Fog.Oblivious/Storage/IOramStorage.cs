namespace Fog.Oblivious.Storage;

/// <summary>
/// Tree-shaped bucket storage for a tree ORAM. One branch at a time is checked out, read and modified
/// through a <see cref="Branch"/>, then checked in.
/// </summary>
/// <remarks>
/// <para>
/// Contract: storage reads as all zeros (every slot vacant) before it is first written; the ORAM calls
/// <see cref="Checkin"/> with the same leaf after every <see cref="Checkout"/> and before the next one.
/// </para>
/// <para>
/// Security: implementations may reveal which branch (leaf) is touched and nothing else; anything
/// leaving trusted memory must be encrypted and authenticated with freshness.
/// </para>
/// </remarks>
public interface IOramStorage : IDisposable
{
    /// <summary>The tree shape.</summary>
    OramGeometry Geometry { get; }

    /// <summary>Makes the buckets of the branch ending at <paramref name="leaf"/> addressable through <paramref name="branch"/>.</summary>
    /// <param name="leaf">A leaf node index in [2^h, 2^(h+1)); public.</param>
    /// <param name="branch">Filled with the bucket locations.</param>
    /// <exception cref="OramIntegrityException">An untrusted bucket failed authentication (fatal).</exception>
    /// <remarks>Security: may reveal the leaf, nothing about the contents.</remarks>
    void Checkout(ulong leaf, in Branch branch);

    /// <summary>Commits the branch checked out for <paramref name="leaf"/>.</summary>
    /// <param name="leaf">The same leaf as the matching checkout.</param>
    /// <param name="branch">The branch, possibly modified.</param>
    /// <remarks>Security: storage outside trusted memory must re-encrypt and write back every bucket of the branch, changed or not.</remarks>
    void Checkin(ulong leaf, in Branch branch);
}
