using System.Diagnostics.CodeAnalysis;
using Fog.Model.Encoding;
using Google.Protobuf;

namespace Fog.Model.Ledger;

/// <summary>
/// A block with its contents, signature and optional metadata: what a ledger appends and serves, and what crosses the
/// wire as <c>blockchain.ArchiveBlock { ArchiveBlockV1 v1 = 1 }</c>.
/// </summary>
/// <param name="Block">The header.</param>
/// <param name="Contents">Key images and outputs.</param>
/// <param name="Signature">The signer's signature, if any.</param>
/// <param name="Metadata">The encoded <c>blockchain.BlockMetadata</c>, kept opaque, if any.</param>
public sealed record BlockData(Block Block, BlockContents Contents, BlockSignature? Signature = null, ReadOnlyMemory<byte> Metadata = default)
{
    /// <summary>The block timestamp: the signature's <c>signed_at</c>, or null when unsigned.</summary>
    public ulong? Timestamp => Signature?.SignedAt;

    /// <summary>The <c>blockchain.ArchiveBlock</c> encoding.</summary>
    public byte[] ToArchiveBlockProtobuf()
    {
        var v1 = Proto.Write(s =>
        {
            Proto.Message(s, 1, Block.ToProtobuf());
            Proto.Message(s, 2, Contents.ToProtobuf());
            if (Signature is not null)
            {
                Proto.Message(s, 3, Signature.ToProtobuf());
            }

            if (!Metadata.IsEmpty)
            {
                Proto.Message(s, 4, Metadata.Span);
            }
        });
        return Proto.Write(s => Proto.Message(s, 1, v1));
    }

    /// <summary>Parses a <c>blockchain.ArchiveBlock</c>; false if malformed or not the v1 form.</summary>
    public static bool TryParseArchiveBlock(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out BlockData? data)
    {
        data = null;
        byte[]? v1 = null;
        if (!Proto.TryRead(encoded, (field, wire, input) =>
            {
                if (field == 1 && wire == WireFormat.WireType.LengthDelimited)
                {
                    v1 = input.ReadBytes().ToByteArray();
                    return true;
                }

                return false;
            }) || v1 is null)
        {
            return false;
        }

        Block? block = null;
        BlockContents? contents = null;
        BlockSignature? signature = null;
        byte[] metadata = [];
        var valid = true;
        var ok = Proto.TryRead(v1, (field, wire, input) =>
        {
            if (wire != WireFormat.WireType.LengthDelimited)
            {
                return false;
            }

            switch (field)
            {
                case 1:
                    valid &= Block.TryParseProtobuf(input.ReadBytes().Span, out block);
                    return true;
                case 2:
                    valid &= BlockContents.TryParseProtobuf(input.ReadBytes().Span, out contents);
                    return true;
                case 3:
                    valid &= BlockSignature.TryParseProtobuf(input.ReadBytes().Span, out signature);
                    return true;
                case 4:
                    metadata = input.ReadBytes().ToByteArray();
                    return true;
                default:
                    return false;
            }
        });
        if (!ok || !valid || block is null || contents is null)
        {
            return false;
        }

        data = new BlockData(block, contents, signature, metadata);
        return true;
    }
}
