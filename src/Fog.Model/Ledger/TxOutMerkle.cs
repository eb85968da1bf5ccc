using Fog.Crypto.Digestible;
using Fog.Crypto.Hashing;
using Fog.Model.Encoding;
using Google.Protobuf;

namespace Fog.Model.Ledger;

/// <summary>
/// Hashing of the TxOut Merkle tree (BLAKE2b-256): leaf = H("mc_tx_out_merkle_leaf" ‖ TxOut hash),
/// node = H("mc_tx_out_merkle_node" ‖ left ‖ right), and an empty subtree of any height hashes to
/// nil = H("mc_tx_out_merkle_nil").
/// </summary>
public static class TxOutMerkle
{
    /// <summary>Size of every tree hash.</summary>
    public const int HashSize = 32;

    private static readonly byte[] NilHashBytes = ComputeNil();

    /// <summary>The hash of an empty subtree.</summary>
    public static ReadOnlySpan<byte> NilHash => NilHashBytes;

    /// <summary>The leaf hash of a TxOut with hash <paramref name="txOutHash"/>.</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> txOutHash)
    {
        var hash = new byte[HashSize];
        Blake2b.Hash256("mc_tx_out_merkle_leaf"u8, txOutHash, hash);
        return hash;
    }

    /// <summary>The hash of an internal node.</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[HashSize];
        Blake2b.Hash256("mc_tx_out_merkle_node"u8, left, right, hash);
        return hash;
    }

    private static byte[] ComputeNil()
    {
        var hash = new byte[HashSize];
        Blake2b.Hash256("mc_tx_out_merkle_nil"u8, hash);
        return hash;
    }
}

/// <summary>An inclusive range [From, To] of TxOut indices: a node of the Merkle tree (<c>external.Range</c>).</summary>
/// <param name="From">The first leaf index.</param>
/// <param name="To">The last leaf index.</param>
public readonly record struct LeafRange(ulong From, ulong To) : IDigestible
{
    /// <summary>Number of leaves covered.</summary>
    public ulong Length => To - From + 1;

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        transcript.AppendAggregateHeader(context, "Range"u8);
        transcript.AppendUInt64("from"u8, From);
        transcript.AppendUInt64("to"u8, To);
        transcript.AppendAggregateCloser(context, "Range"u8);
    }
}

/// <summary>A Merkle node: its leaf range and hash (<c>external.TxOutMembershipElement</c>).</summary>
public sealed class MembershipElement : IDigestible, IEquatable<MembershipElement>
{
    private readonly byte[] _hash;

    /// <summary>An element.</summary>
    public MembershipElement(LeafRange range, ReadOnlySpan<byte> hash)
    {
        if (hash.Length != TxOutMerkle.HashSize)
        {
            throw new ArgumentException($"A Merkle hash is {TxOutMerkle.HashSize} bytes.", nameof(hash));
        }

        Range = range;
        _hash = hash.ToArray();
    }

    /// <summary>The default element (range 0..0, zero hash), used by the origin block's header.</summary>
    public static MembershipElement Default { get; } = new(new LeafRange(0, 0), new byte[TxOutMerkle.HashSize]);

    /// <summary>The leaves this node covers.</summary>
    public LeafRange Range { get; }

    /// <summary>The node's hash.</summary>
    public ReadOnlySpan<byte> Hash => _hash;

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        transcript.AppendAggregateHeader(context, "TxOutMembershipElement"u8);
        Range.AppendTo("range"u8, transcript);
        transcript.AppendBytes("hash"u8, _hash);
        transcript.AppendAggregateCloser(context, "TxOutMembershipElement"u8);
    }

    /// <summary>The <c>external.TxOutMembershipElement</c> encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(s =>
    {
        var range = Proto.Write(r =>
        {
            Proto.UInt64IfAny(r, 1, Range.From);
            Proto.UInt64IfAny(r, 2, Range.To);
        });
        Proto.Message(s, 1, range);
        Proto.Wrapped(s, 2, _hash);
    });

    /// <summary>Parses an <c>external.TxOutMembershipElement</c>; null if malformed.</summary>
    public static MembershipElement? FromProtobuf(ReadOnlySpan<byte> encoded)
    {
        ulong from = 0, to = 0;
        byte[]? hash = null;
        var rangeOk = true;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            if (wire != WireFormat.WireType.LengthDelimited)
            {
                return false;
            }

            if (field == 1)
            {
                rangeOk = Proto.TryRead(input.ReadBytes().Span, (f, w, r) =>
                {
                    if (w != WireFormat.WireType.Varint || f is not (1 or 2))
                    {
                        return false;
                    }

                    if (f == 1)
                    {
                        from = r.ReadUInt64();
                    }
                    else
                    {
                        to = r.ReadUInt64();
                    }

                    return true;
                });
                return true;
            }

            if (field == 2)
            {
                hash = Proto.UnwrapData(input.ReadBytes().Span);
                return true;
            }

            return false;
        });
        return ok && rangeOk && hash is { Length: TxOutMerkle.HashSize } ? new MembershipElement(new LeafRange(from, to), hash) : null;
    }

    /// <inheritdoc />
    public bool Equals(MembershipElement? other) => other is not null && Range == other.Range && _hash.AsSpan().SequenceEqual(other._hash);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MembershipElement other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Range, BitConverter.ToInt32(_hash));

    /// <inheritdoc />
    public override string ToString() => $"[{Range.From}, {Range.To}] {Convert.ToHexStringLower(_hash)}";
}
