using System.Diagnostics.CodeAnalysis;
using Fog.Crypto.Digestible;
using Fog.Crypto.Merlin;
using Fog.Model.Encoding;
using Fog.Model.Transactions;
using Google.Protobuf;

namespace Fog.Model.Ledger;

/// <summary>
/// A block header (<c>blockchain.Block</c>): id, version, parent id, index, cumulative TxO count (including this
/// block), the Merkle root element the block was validated against, and the contents hash. It has no timestamp;
/// that lives in the block signature's <c>signed_at</c>.
/// </summary>
public sealed class Block : IDigestible
{
    /// <summary>Size of a block id and a contents hash.</summary>
    public const int HashSize = 32;

    private readonly byte[] _id;
    private readonly byte[] _parentId;
    private readonly byte[] _contentsHash;

    /// <summary>A header from its fields (the id is taken as given; see <see cref="IsIdValid"/>).</summary>
    public Block(ReadOnlySpan<byte> id, uint version, ReadOnlySpan<byte> parentId, ulong index, ulong cumulativeTxoCount, MembershipElement rootElement, ReadOnlySpan<byte> contentsHash)
    {
        _id = Check(id, nameof(id));
        Version = version;
        _parentId = Check(parentId, nameof(parentId));
        Index = index;
        CumulativeTxoCount = cumulativeTxoCount;
        RootElement = rootElement ?? throw new ArgumentNullException(nameof(rootElement));
        _contentsHash = Check(contentsHash, nameof(contentsHash));
    }

    /// <summary>The block id.</summary>
    public ReadOnlySpan<byte> Id => _id;

    /// <summary>The block format version.</summary>
    public uint Version { get; }

    /// <summary>The parent's id (zeros for the origin block).</summary>
    public ReadOnlySpan<byte> ParentId => _parentId;

    /// <summary>The block index (0 for the origin block).</summary>
    public ulong Index { get; }

    /// <summary>TxOuts in the ledger including this block's.</summary>
    public ulong CumulativeTxoCount { get; }

    /// <summary>The Merkle root of the TxOut set before this block.</summary>
    public MembershipElement RootElement { get; }

    /// <summary>The hash of the block's contents.</summary>
    public ReadOnlySpan<byte> ContentsHash => _contentsHash;

    /// <summary>The origin block: version 0, no parent, the given outputs, the default root element.</summary>
    public static Block CreateOrigin(BlockContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return Create(0, new byte[HashSize], 0, (ulong)contents.Outputs.Count, MembershipElement.Default, contents);
    }

    /// <summary>The block after <paramref name="parent"/>, validated against <paramref name="rootElement"/>.</summary>
    public static Block CreateWithParent(BlockVersion version, Block parent, MembershipElement rootElement, BlockContents contents)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(contents);
        return Create(version.Value, parent._id, parent.Index + 1, parent.CumulativeTxoCount + (ulong)contents.Outputs.Count, rootElement, contents);
    }

    /// <summary>A block with its id computed.</summary>
    public static Block Create(uint version, ReadOnlySpan<byte> parentId, ulong index, ulong cumulativeTxoCount, MembershipElement rootElement, BlockContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var contentsHash = contents.Hash();
        var id = ComputeId(version, parentId, index, cumulativeTxoCount, rootElement, contentsHash);
        return new Block(id, version, parentId, index, cumulativeTxoCount, rootElement, contentsHash);
    }

    /// <summary>
    /// The block id: a Merlin transcript labelled "mobilecoin-block-id" with the header fields appended under
    /// their names, then "digest32".
    /// </summary>
    public static byte[] ComputeId(uint version, ReadOnlySpan<byte> parentId, ulong index, ulong cumulativeTxoCount, MembershipElement rootElement, ReadOnlySpan<byte> contentsHash)
    {
        ArgumentNullException.ThrowIfNull(rootElement);
        var transcript = new DigestTranscript(new MerlinTranscript("mobilecoin-block-id"u8));
        transcript.AppendUInt32("version"u8, version);
        transcript.AppendBytes("parent_id"u8, parentId);
        transcript.AppendUInt64("index"u8, index);
        transcript.AppendUInt64("cumulative_txo_count"u8, cumulativeTxoCount);
        rootElement.AppendTo("root_element"u8, transcript);
        transcript.AppendBytes("contents_hash"u8, contentsHash);
        return transcript.ExtractDigest();
    }

    /// <summary>Whether the id matches the header fields.</summary>
    public bool IsIdValid => ComputeId(Version, _parentId, Index, CumulativeTxoCount, RootElement, _contentsHash).AsSpan().SequenceEqual(_id);

    /// <summary>What a block signer signs: the header's digest under "block-sig".</summary>
    public byte[] SigningDigest() => DigestTranscript.Digest32("block-sig"u8, this);

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        transcript.AppendAggregateHeader(context, "Block"u8);
        transcript.AppendBytes("id"u8, _id);
        transcript.AppendUInt32("version"u8, Version);
        transcript.AppendBytes("parent_id"u8, _parentId);
        transcript.AppendUInt64("index"u8, Index);
        transcript.AppendUInt64("cumulative_txo_count"u8, CumulativeTxoCount);
        RootElement.AppendTo("root_element"u8, transcript);
        transcript.AppendBytes("contents_hash"u8, _contentsHash);
        transcript.AppendAggregateCloser(context, "Block"u8);
    }

    /// <summary>The <c>blockchain.Block</c> encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(s =>
    {
        Proto.Wrapped(s, 1, _id);
        Proto.UInt32IfAny(s, 2, Version);
        Proto.Wrapped(s, 3, _parentId);
        Proto.UInt64IfAny(s, 4, Index);
        Proto.UInt64IfAny(s, 5, CumulativeTxoCount);
        Proto.Message(s, 6, RootElement.ToProtobuf());
        Proto.Wrapped(s, 7, _contentsHash);
    });

    /// <summary>Parses a <c>blockchain.Block</c>.</summary>
    public static bool TryParseProtobuf(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out Block? block)
    {
        block = null;
        byte[]? id = null, parent = null, contents = null;
        uint version = 0;
        ulong index = 0, count = 0;
        MembershipElement? root = null;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            switch (field)
            {
                case 1 when wire == WireFormat.WireType.LengthDelimited:
                    id = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 2 when wire == WireFormat.WireType.Varint:
                    version = input.ReadUInt32();
                    return true;
                case 3 when wire == WireFormat.WireType.LengthDelimited:
                    parent = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 4 when wire == WireFormat.WireType.Varint:
                    index = input.ReadUInt64();
                    return true;
                case 5 when wire == WireFormat.WireType.Varint:
                    count = input.ReadUInt64();
                    return true;
                case 6 when wire == WireFormat.WireType.LengthDelimited:
                    root = MembershipElement.FromProtobuf(input.ReadBytes().Span);
                    return true;
                case 7 when wire == WireFormat.WireType.LengthDelimited:
                    contents = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                default:
                    return false;
            }
        });
        if (!ok || id is not { Length: HashSize } || parent is not { Length: HashSize } || contents is not { Length: HashSize } || root is null)
        {
            return false;
        }

        block = new Block(id, version, parent, index, count, root, contents);
        return true;
    }

    private static byte[] Check(ReadOnlySpan<byte> value, string name) =>
        value.Length == HashSize ? value.ToArray() : throw new ArgumentException($"Expected {HashSize} bytes, got {value.Length}.", name);
}
