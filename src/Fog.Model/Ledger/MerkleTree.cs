using System.Numerics;

namespace Fog.Model.Ledger;

/// <summary>Where a <see cref="MerkleTree"/> keeps its node hashes (memory, or an LMDB transaction).</summary>
public interface IMerkleNodeStore
{
    /// <summary>The stored hash of node [from, to], or null if none is stored.</summary>
    byte[]? Get(ulong from, ulong to);

    /// <summary>Stores the hash of node [from, to].</summary>
    void Set(ulong from, ulong to, byte[] hash);
}

/// <summary>
/// The TxOut Merkle tree with the ledger's shape: a full binary tree over next_pow2(n) leaves whose empty subtrees hash
/// to nil. Appends update the O(log n) nodes above the new leaf; proofs can be made for any leaf, and the root of any
/// past size can be recomputed from the stored nodes.
/// </summary>
public sealed class MerkleTree
{
    private readonly IMerkleNodeStore _nodes;

    /// <summary>An empty tree in memory.</summary>
    public MerkleTree()
        : this(new DictionaryNodeStore(), 0)
    {
    }

    /// <summary>A tree of <paramref name="count"/> leaves whose nodes are in <paramref name="nodes"/>.</summary>
    public MerkleTree(IMerkleNodeStore nodes, ulong count)
    {
        _nodes = nodes ?? throw new ArgumentNullException(nameof(nodes));
        Count = count;
    }

    /// <summary>Number of leaves (TxOuts).</summary>
    public ulong Count { get; private set; }

    /// <summary>Appends the leaf for a TxOut with hash <paramref name="txOutHash"/>.</summary>
    public void Append(ReadOnlySpan<byte> txOutHash)
    {
        var index = Count;
        Count++;
        _nodes.Set(index, index, TxOutMerkle.LeafHash(txOutHash));
        foreach (var (from, to) in ContainingRanges(index, Count))
        {
            var mid = from + ((to - from) / 2);
            _nodes.Set(from, to, TxOutMerkle.NodeHash(HashOf(from, mid), HashOf(mid + 1, to)));
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
        from < Count && _nodes.Get(from, to) is { } hash ? hash : TxOutMerkle.NilHash.ToArray();

    private sealed class DictionaryNodeStore : IMerkleNodeStore
    {
        private readonly Dictionary<(ulong, ulong), byte[]> _hashes = [];

        public byte[]? Get(ulong from, ulong to) => _hashes.GetValueOrDefault((from, to));

        public void Set(ulong from, ulong to, byte[] hash) => _hashes[(from, to)] = hash;
    }
}
