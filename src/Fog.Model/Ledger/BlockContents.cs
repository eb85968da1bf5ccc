using System.Diagnostics.CodeAnalysis;
using Fog.Crypto.Digestible;
using Fog.Model.Encoding;
using Fog.Model.Transactions;
using Google.Protobuf;

namespace Fog.Model.Ledger;

/// <summary>
/// What a block adds to the ledger (<c>blockchain.BlockContents</c>): the key images it spends and the outputs it
/// creates, each sorted (transaction boundaries are not kept). Mint transactions are not supported here.
/// </summary>
public sealed class BlockContents : IDigestible
{
    /// <summary>Contents from key images and outputs (kept in the given order).</summary>
    public BlockContents(IReadOnlyList<KeyImage> keyImages, IReadOnlyList<TxOut> outputs)
    {
        KeyImages = keyImages ?? throw new ArgumentNullException(nameof(keyImages));
        Outputs = outputs ?? throw new ArgumentNullException(nameof(outputs));
    }

    /// <summary>Key images spent by this block.</summary>
    public IReadOnlyList<KeyImage> KeyImages { get; }

    /// <summary>Outputs created by this block.</summary>
    public IReadOnlyList<TxOut> Outputs { get; }

    /// <summary>The contents hash: the digest under "block_contents".</summary>
    public byte[] Hash() => DigestTranscript.Digest32("block_contents"u8, this);

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        transcript.AppendAggregateHeader(context, "BlockContents"u8);
        if (KeyImages.Count > 0)
        {
            // KeyImage is transparent over a compressed point.
            transcript.AppendSequenceHeader("key_images"u8, (ulong)KeyImages.Count);
            foreach (var keyImage in KeyImages)
            {
                transcript.AppendRistretto(""u8, keyImage.Bytes);
            }
        }

        transcript.AppendSequenceAllowOmit("outputs"u8, Outputs);

        // validated_mint_config_txs and mint_txs are empty and so omitted.
        transcript.AppendAggregateCloser(context, "BlockContents"u8);
    }

    /// <summary>The <c>blockchain.BlockContents</c> encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(s =>
    {
        foreach (var keyImage in KeyImages)
        {
            Proto.Wrapped(s, 1, keyImage.Bytes);
        }

        foreach (var output in Outputs)
        {
            Proto.Message(s, 2, output.ToProtobuf());
        }
    });

    /// <summary>Parses <c>blockchain.BlockContents</c>; false if malformed or it holds mint transactions.</summary>
    public static bool TryParseProtobuf(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out BlockContents? contents)
    {
        contents = null;
        var keyImages = new List<KeyImage>();
        var outputs = new List<TxOut>();
        var valid = true;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            if (wire != WireFormat.WireType.LengthDelimited)
            {
                return false;
            }

            switch (field)
            {
                case 1:
                    var data = Proto.UnwrapData(input.ReadBytes().Span);
                    valid &= data is { Length: KeyImage.Size };
                    if (data is { Length: KeyImage.Size })
                    {
                        keyImages.Add(new KeyImage(data));
                    }

                    return true;
                case 2:
                    valid &= TxOut.TryParseProtobuf(input.ReadBytes().Span, out var output);
                    if (output is not null)
                    {
                        outputs.Add(output);
                    }

                    return true;
                case 3 or 4:
                    // Mint transactions: not supported by this ledger.
                    valid = false;
                    return false;
                default:
                    return false;
            }
        });
        if (!ok || !valid)
        {
            return false;
        }

        contents = new BlockContents(keyImages, outputs);
        return true;
    }
}
