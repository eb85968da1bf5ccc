using System.Numerics;

namespace Fog.Model.Ledger;

/// <summary>
/// An in-memory TxOut Merkle tree with the ledger's shape: a full binary tree over next_pow2(n) leaves whose
/// empty subtrees hash to nil. Appends update the O(log n) nodes above the new leaf; proofs can be made for any
/// leaf. (The LMDB ledger keeps the same node hashes on disk.)
/// </summary>
public sealed class MerkleTree
{
    // Node hashes by (from, to); absent nodes are nil.
    private readonly Dictionary<(ulong From, ulong To), byte[]> _nodes = [];

    /// <summary>Number of leaves (TxOuts).</summary>
    public ulong Count { get; private set; }

    /// <summary>Appends the leaf for a TxOut with hash <paramref name="txOutHash"/>.</summary>
    public void Append(ReadOnlySpan<byte> txOutHash)
    {
        var index = Count;
        Count++;
        _nodes[(index, index)] = TxOutMerkle.LeafHash(txOutHash);
        foreach (var (from, to) in ContainingRanges(index, Count))
        {
            var mid = from + ((to - from) / 2);
            var left = HashOf(from, mid);
            var right = HashOf(mid + 1, to);
            _nodes[(from, to)] = TxOutMerkle.NodeHash(left, right);
        }
    }

    /// <summary>The root element: range [0, next_pow2(n) − 1] and its hash (nil for an empty tree).</summary>
    public MembershipElement Root
    {
        get
        {
            if (Count == 0)
            {
                return new MembershipElement(new LeafRange(0, 0), TxOutMerkle.NilHash);
            }

            var top = BitOperations.RoundUpToPowerOf2(Count) - 1;
            return new MembershipElement(new LeafRange(0, top), HashOf(0, top));
        }
    }

    /// <summary>
    /// The root element of the tree as it was when it had <paramref name="leafCount"/> leaves (1 ≤ leafCount ≤ Count):
    /// complete subtrees are reused, and only the nodes on the boundary are recomputed — O(log n).
    /// </summary>
    public MembershipElement RootAt(ulong leafCount)
    {
        if (leafCount == 0 || leafCount > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(leafCount), leafCount, $"The tree has {Count} leaves.");
        }

        var top = BitOperations.RoundUpToPowerOf2(leafCount) - 1;
        return new MembershipElement(new LeafRange(0, top), HashAt(0, top, leafCount));
    }

    /// <summary>A membership proof for leaf <paramref name="index"/> against the current tree.</summary>
    public MembershipProof Prove(ulong index)
    {
        if (index >= Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The tree has {Count} leaves.");
        }

        var elements = new List<MembershipElement> { new(new LeafRange(index, index), HashOf(index, index)) };
        foreach (var (from, to) in ContainingRanges(index, Count))
        {
            var mid = from + ((to - from) / 2);
            var sibling = index <= mid ? new LeafRange(mid + 1, to) : new LeafRange(from, mid);
            elements.Add(new MembershipElement(sibling, HashOf(sibling.From, sibling.To)));
        }

        return new MembershipProof(index, Count - 1, elements);
    }

    private byte[] HashAt(ulong from, ulong to, ulong leafCount)
    {
        if (from >= leafCount)
        {
            return TxOutMerkle.NilHash.ToArray();
        }

        if (to < leafCount)
        {
            // A complete subtree: its stored hash was final when its last leaf was appended.
            return HashOf(from, to);
        }

        var mid = from + ((to - from) / 2);
        return TxOutMerkle.NodeHash(HashAt(from, mid, leafCount), HashAt(mid + 1, to, leafCount));
    }

    private byte[] HashOf(ulong from, ulong to) =>
        from < Count && _nodes.TryGetValue((from, to), out var hash) ? hash : TxOutMerkle.NilHash.ToArray();

    /// <summary>The aligned ranges above leaf <paramref name="index"/>, smallest first, up to the root of a tree of <paramref name="count"/> leaves.</summary>
    internal static IEnumerable<(ulong From, ulong To)> ContainingRanges(ulong index, ulong count)
    {
        var top = BitOperations.RoundUpToPowerOf2(count);
        for (ulong size = 2; size <= top && size != 0; size <<= 1)
        {
            var mask = size - 1;
            yield return (index & ~mask, index | mask);
        }
    }
}
