using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Security.Cryptography;
using Fog.Model.Encoding;
using Fog.Model.Transactions;
using Google.Protobuf;

namespace Fog.Model.Ledger;

/// <summary>
/// A proof that a TxOut is leaf <see cref="Index"/> of the Merkle tree over the first
/// <see cref="HighestIndex"/> + 1 TxOuts (<c>external.TxOutMembershipProof</c>): the leaf element, then the
/// sibling of each enclosing range, bottom-up.
/// </summary>
public sealed class MembershipProof
{
    /// <summary>A proof from its fields.</summary>
    public MembershipProof(ulong index, ulong highestIndex, IReadOnlyList<MembershipElement> elements)
    {
        Index = index;
        HighestIndex = highestIndex;
        Elements = elements ?? throw new ArgumentNullException(nameof(elements));
    }

    /// <summary>The proven TxOut's global index.</summary>
    public ulong Index { get; }

    /// <summary>The last index of the tree the proof was made against.</summary>
    public ulong HighestIndex { get; }

    /// <summary>The leaf element followed by the siblings, bottom-up.</summary>
    public IReadOnlyList<MembershipElement> Elements { get; }

    /// <summary>
    /// The root this proof implies (<c>compute_implied_merkle_root</c>): folds the elements, each adjacent to the
    /// accumulated range. Null if the proof is malformed.
    /// </summary>
    /// <remarks>
    /// Stricter than the reference, which hashes ranges into nothing and so accepts a proof whose sibling ranges
    /// were altered: here element k (k ≥ 1) must be the aligned sibling of size 2^(k−1), exactly as a ledger
    /// makes proofs, so every range is fixed by the index and the proof length.
    /// </remarks>
    public MembershipElement? ImpliedRoot()
    {
        if (Elements.Count == 0 || Elements.Count > 65 || Elements[0].Range != new LeafRange(Index, Index))
        {
            return null;
        }

        var accumulator = Elements[0];
        for (var i = 1; i < Elements.Count; i++)
        {
            var next = Elements[i];
            var size = 1UL << (i - 1);
            if (next.Range.From > next.Range.To || next.Range.Length != size || next.Range.From % size != 0)
            {
                return null;
            }

            var nextOnRight = accumulator.Range.To + 1 == next.Range.From;
            var nextOnLeft = next.Range.To + 1 == accumulator.Range.From;
            if (nextOnRight == nextOnLeft)
            {
                return null;
            }

            accumulator = nextOnRight
                ? new MembershipElement(new LeafRange(accumulator.Range.From, next.Range.To), TxOutMerkle.NodeHash(accumulator.Hash, next.Hash))
                : new MembershipElement(new LeafRange(next.Range.From, accumulator.Range.To), TxOutMerkle.NodeHash(next.Hash, accumulator.Hash));
        }

        return accumulator;
    }

    /// <summary>
    /// Whether this proof shows <paramref name="txOut"/> under <paramref name="rootHash"/>
    /// (<c>is_membership_proof_valid</c>): the leaf is the TxOut's, the implied root is the whole tree over
    /// HighestIndex + 1 leaves, and its hash is the root.
    /// </summary>
    /// <remarks>
    /// <see cref="HighestIndex"/> is bound only through the root it selects: within one power of two it does
    /// not change the tree's shape, as in the reference.
    /// </remarks>
    public bool IsValidFor(TxOut txOut, ReadOnlySpan<byte> rootHash)
    {
        ArgumentNullException.ThrowIfNull(txOut);
        if (Index > HighestIndex || HighestIndex >= 1UL << 63 || Elements.Count == 0 ||
            !Elements[0].Hash.SequenceEqual(TxOutMerkle.LeafHash(txOut.Hash())))
        {
            return false;
        }

        var root = ImpliedRoot();
        return root is not null && root.Range.From == 0 && root.Range.To == BitOperations.RoundUpToPowerOf2(HighestIndex + 1) - 1 &&
               CryptographicOperations.FixedTimeEquals(root.Hash, rootHash);
    }

    /// <summary>The <c>external.TxOutMembershipProof</c> encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(s =>
    {
        Proto.UInt64IfAny(s, 1, Index);
        Proto.UInt64IfAny(s, 2, HighestIndex);
        foreach (var element in Elements)
        {
            Proto.Message(s, 3, element.ToProtobuf());
        }
    });

    /// <summary>Parses an <c>external.TxOutMembershipProof</c>.</summary>
    public static bool TryParseProtobuf(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out MembershipProof? proof)
    {
        proof = null;
        ulong index = 0, highest = 0;
        var elements = new List<MembershipElement>();
        var valid = true;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            switch (field)
            {
                case 1 when wire == WireFormat.WireType.Varint:
                    index = input.ReadUInt64();
                    return true;
                case 2 when wire == WireFormat.WireType.Varint:
                    highest = input.ReadUInt64();
                    return true;
                case 3 when wire == WireFormat.WireType.LengthDelimited:
                    var element = MembershipElement.FromProtobuf(input.ReadBytes().Span);
                    valid &= element is not null;
                    if (element is not null)
                    {
                        elements.Add(element);
                    }

                    return true;
                default:
                    return false;
            }
        });
        if (!ok || !valid)
        {
            return false;
        }

        proof = new MembershipProof(index, highest, elements);
        return true;
    }
}
