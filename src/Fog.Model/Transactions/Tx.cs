using System.Diagnostics.CodeAnalysis;
using Fog.Crypto.Digestible;
using Fog.Model.Encoding;
using Fog.Model.Ledger;
using Google.Protobuf;

namespace Fog.Model.Transactions;

/// <summary>An input (<c>external.TxIn</c>): a ring of TxOuts, one of which is really spent, each with its membership proof.</summary>
public sealed class TxIn : IDigestible
{
    /// <summary>An input from its ring and proofs (one per ring member, in the same order).</summary>
    public TxIn(IReadOnlyList<TxOut> ring, IReadOnlyList<MembershipProof> proofs)
    {
        Ring = ring ?? throw new ArgumentNullException(nameof(ring));
        Proofs = proofs ?? throw new ArgumentNullException(nameof(proofs));
    }

    /// <summary>The ring, sorted by public key.</summary>
    public IReadOnlyList<TxOut> Ring { get; }

    /// <summary>Membership proofs, one per ring member.</summary>
    public IReadOnlyList<MembershipProof> Proofs { get; }

    /// <summary>Whether the input carries input rules (signed contingent inputs are not supported: always false here).</summary>
    public bool HasInputRules { get; init; }

    /// <summary>The ring as the MLSAG sees it.</summary>
    public IReadOnlyList<RingMember> RingMembers => Ring.Select(t => new RingMember(t.TargetKey.ToArray(), t.MaskedAmount.Commitment.ToArray())).ToList();

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        transcript.AppendAggregateHeader(context, "TxIn"u8);
        transcript.AppendSequenceAllowOmit("ring"u8, Ring);
        if (Proofs.Count > 0)
        {
            transcript.AppendSequenceHeader("proofs"u8, (ulong)Proofs.Count);
            foreach (var proof in Proofs)
            {
                AppendProof(proof, transcript);
            }
        }

        transcript.AppendAggregateCloser(context, "TxIn"u8);
    }

    internal byte[] ToProtobuf() => Proto.Write(s =>
    {
        foreach (var member in Ring)
        {
            Proto.Message(s, 1, member.ToProtobuf());
        }

        foreach (var proof in Proofs)
        {
            Proto.Message(s, 2, proof.ToProtobuf());
        }
    });

    internal static TxIn? Parse(ReadOnlySpan<byte> encoded)
    {
        var ring = new List<TxOut>();
        var proofs = new List<MembershipProof>();
        var valid = true;
        var rules = false;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            if (wire != WireFormat.WireType.LengthDelimited)
            {
                return false;
            }

            switch (field)
            {
                case 1:
                    valid &= TxOut.TryParseProtobuf(input.ReadBytes().Span, out var member);
                    if (member is not null)
                    {
                        ring.Add(member);
                    }

                    return true;
                case 2:
                    valid &= MembershipProof.TryParseProtobuf(input.ReadBytes().Span, out var proof);
                    if (proof is not null)
                    {
                        proofs.Add(proof);
                    }

                    return true;
                case 3:
                    rules = true;
                    return false;
                default:
                    return false;
            }
        });
        return ok && valid ? new TxIn(ring, proofs) { HasInputRules = rules } : null;
    }

    private static void AppendProof(MembershipProof proof, DigestTranscript transcript)
    {
        transcript.AppendAggregateHeader(""u8, "TxOutMembershipProof"u8);
        transcript.AppendUInt64("index"u8, proof.Index);
        transcript.AppendUInt64("highest_index"u8, proof.HighestIndex);
        transcript.AppendSequenceAllowOmit("elements"u8, proof.Elements);
        transcript.AppendAggregateCloser(""u8, "TxOutMembershipProof"u8);
    }
}

/// <summary>What a transaction's signatures cover (<c>external.TxPrefix</c>): inputs, outputs, fee, fee token and tombstone block.</summary>
public sealed class TxPrefix : IDigestible
{
    /// <summary>A prefix from its fields.</summary>
    public TxPrefix(IReadOnlyList<TxIn> inputs, IReadOnlyList<TxOut> outputs, ulong fee, ulong feeTokenId, ulong tombstoneBlock)
    {
        Inputs = inputs ?? throw new ArgumentNullException(nameof(inputs));
        Outputs = outputs ?? throw new ArgumentNullException(nameof(outputs));
        Fee = fee;
        FeeTokenId = feeTokenId;
        TombstoneBlock = tombstoneBlock;
    }

    /// <summary>The inputs, sorted by their first ring member's public key.</summary>
    public IReadOnlyList<TxIn> Inputs { get; }

    /// <summary>The outputs, sorted by public key.</summary>
    public IReadOnlyList<TxOut> Outputs { get; }

    /// <summary>The fee, in the fee token's smallest unit.</summary>
    public ulong Fee { get; }

    /// <summary>The token the fee is paid in.</summary>
    public ulong FeeTokenId { get; }

    /// <summary>The first block index at which this transaction is no longer valid.</summary>
    public ulong TombstoneBlock { get; }

    /// <summary>The prefix hash: its digest under "mobilecoin-tx-prefix" (the message the MLSAGs sign, extended).</summary>
    public byte[] Hash() => DigestTranscript.Digest32("mobilecoin-tx-prefix"u8, this);

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        transcript.AppendAggregateHeader(context, "TxPrefix"u8);
        transcript.AppendSequenceAllowOmit("inputs"u8, Inputs);
        transcript.AppendSequenceAllowOmit("outputs"u8, Outputs);
        transcript.AppendUInt64("fee"u8, Fee);
        transcript.AppendUInt64("tombstone_block"u8, TombstoneBlock);
        if (FeeTokenId != 0)
        {
            transcript.AppendUInt64("fee_token_id"u8, FeeTokenId);
        }

        transcript.AppendAggregateCloser(context, "TxPrefix"u8);
    }

    internal byte[] ToProtobuf() => Proto.Write(s =>
    {
        foreach (var input in Inputs)
        {
            Proto.Message(s, 1, input.ToProtobuf());
        }

        foreach (var output in Outputs)
        {
            Proto.Message(s, 2, output.ToProtobuf());
        }

        Proto.UInt64IfAny(s, 3, Fee);
        Proto.UInt64IfAny(s, 4, TombstoneBlock);
        if (FeeTokenId != 0)
        {
            Proto.Fixed64(s, 5, FeeTokenId);
        }
    });

    internal static TxPrefix? Parse(ReadOnlySpan<byte> encoded)
    {
        var inputs = new List<TxIn>();
        var outputs = new List<TxOut>();
        ulong fee = 0, tombstone = 0, feeToken = 0;
        var valid = true;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            switch (field)
            {
                case 1 when wire == WireFormat.WireType.LengthDelimited:
                    var txIn = TxIn.Parse(input.ReadBytes().Span);
                    valid &= txIn is not null;
                    if (txIn is not null)
                    {
                        inputs.Add(txIn);
                    }

                    return true;
                case 2 when wire == WireFormat.WireType.LengthDelimited:
                    valid &= TxOut.TryParseProtobuf(input.ReadBytes().Span, out var output);
                    if (output is not null)
                    {
                        outputs.Add(output);
                    }

                    return true;
                case 3 when wire == WireFormat.WireType.Varint:
                    fee = input.ReadUInt64();
                    return true;
                case 4 when wire == WireFormat.WireType.Varint:
                    tombstone = input.ReadUInt64();
                    return true;
                case 5 when wire == WireFormat.WireType.Fixed64:
                    feeToken = input.ReadFixed64();
                    return true;
                default:
                    return false;
            }
        });
        return ok && valid ? new TxPrefix(inputs, outputs, fee, feeToken, tombstone) : null;
    }
}

/// <summary>
/// The signature of a RingCT transaction (<c>external.SignatureRctBulletproofs</c>): one MLSAG and one pseudo-output
/// commitment per input, range proofs, and (block version 3+) the token id of every pseudo-output and output.
/// </summary>
public sealed class SignatureRctBulletproofs : IDigestible
{
    /// <summary>A signature from its fields.</summary>
    public SignatureRctBulletproofs(
        IReadOnlyList<RingMlsag> ringSignatures,
        IReadOnlyList<byte[]> pseudoOutputCommitments,
        ReadOnlyMemory<byte> rangeProofBytes,
        IReadOnlyList<byte[]> rangeProofs,
        IReadOnlyList<ulong> pseudoOutputTokenIds,
        IReadOnlyList<ulong> outputTokenIds)
    {
        RingSignatures = ringSignatures ?? throw new ArgumentNullException(nameof(ringSignatures));
        PseudoOutputCommitments = pseudoOutputCommitments ?? throw new ArgumentNullException(nameof(pseudoOutputCommitments));
        RangeProofBytes = rangeProofBytes;
        RangeProofs = rangeProofs ?? throw new ArgumentNullException(nameof(rangeProofs));
        PseudoOutputTokenIds = pseudoOutputTokenIds ?? throw new ArgumentNullException(nameof(pseudoOutputTokenIds));
        OutputTokenIds = outputTokenIds ?? throw new ArgumentNullException(nameof(outputTokenIds));
    }

    /// <summary>One MLSAG per input.</summary>
    public IReadOnlyList<RingMlsag> RingSignatures { get; }

    /// <summary>One pseudo-output commitment per input.</summary>
    public IReadOnlyList<byte[]> PseudoOutputCommitments { get; }

    /// <summary>Block version below 3: one aggregated range proof.</summary>
    public ReadOnlyMemory<byte> RangeProofBytes { get; }

    /// <summary>Block version 3 and later: one range proof per token, ascending.</summary>
    public IReadOnlyList<byte[]> RangeProofs { get; }

    /// <summary>Block version 3 and later: each pseudo-output's token.</summary>
    public IReadOnlyList<ulong> PseudoOutputTokenIds { get; }

    /// <summary>Block version 3 and later: each output's token.</summary>
    public IReadOnlyList<ulong> OutputTokenIds { get; }

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        transcript.AppendAggregateHeader(context, "SignatureRctBulletproofs"u8);
        if (RingSignatures.Count > 0)
        {
            transcript.AppendSequenceHeader("ring_signatures"u8, (ulong)RingSignatures.Count);
            foreach (var signature in RingSignatures)
            {
                signature.AppendTo(""u8, transcript);
            }
        }

        SigningDigest.AppendCommitments("pseudo_output_commitments"u8, PseudoOutputCommitments, transcript, allowOmit: true);
        transcript.AppendBytesAllowOmit("range_proof_bytes"u8, RangeProofBytes.Span);
        SigningDigest.AppendByteStrings("range_proofs"u8, RangeProofs, transcript);
        AppendIds("pseudo_output_token_ids"u8, PseudoOutputTokenIds, transcript);
        AppendIds("output_token_ids"u8, OutputTokenIds, transcript);
        transcript.AppendAggregateCloser(context, "SignatureRctBulletproofs"u8);
    }

    internal byte[] ToProtobuf() => Proto.Write(s =>
    {
        foreach (var signature in RingSignatures)
        {
            Proto.Message(s, 1, signature.ToProtobuf());
        }

        foreach (var commitment in PseudoOutputCommitments)
        {
            Proto.Wrapped(s, 2, commitment);
        }

        Proto.BytesIfAny(s, 3, RangeProofBytes.Span);
        foreach (var proof in RangeProofs)
        {
            Proto.Bytes(s, 4, proof);
        }

        WritePackedFixed64(s, 5, PseudoOutputTokenIds);
        WritePackedFixed64(s, 6, OutputTokenIds);
    });

    internal static SignatureRctBulletproofs? Parse(ReadOnlySpan<byte> encoded)
    {
        var signatures = new List<RingMlsag>();
        var commitments = new List<byte[]>();
        byte[] rangeProofBytes = [];
        var rangeProofs = new List<byte[]>();
        var pseudoTokens = new List<ulong>();
        var outputTokens = new List<ulong>();
        var valid = true;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            switch (field)
            {
                case 1 when wire == WireFormat.WireType.LengthDelimited:
                    valid &= RingMlsag.TryParseProtobuf(input.ReadBytes().Span, out var signature);
                    if (signature is not null)
                    {
                        signatures.Add(signature);
                    }

                    return true;
                case 2 when wire == WireFormat.WireType.LengthDelimited:
                    var commitment = Proto.UnwrapData(input.ReadBytes().Span);
                    valid &= commitment is { Length: 32 };
                    commitments.Add(commitment ?? []);
                    return true;
                case 3 when wire == WireFormat.WireType.LengthDelimited:
                    rangeProofBytes = input.ReadBytes().ToByteArray();
                    return true;
                case 4 when wire == WireFormat.WireType.LengthDelimited:
                    rangeProofs.Add(input.ReadBytes().ToByteArray());
                    return true;
                case 5 or 6:
                    var target = field == 5 ? pseudoTokens : outputTokens;
                    if (wire == WireFormat.WireType.LengthDelimited)
                    {
                        var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                        while (!packed.IsAtEnd)
                        {
                            target.Add(packed.ReadFixed64());
                        }
                    }
                    else if (wire == WireFormat.WireType.Fixed64)
                    {
                        target.Add(input.ReadFixed64());
                    }
                    else
                    {
                        return false;
                    }

                    return true;
                default:
                    return false;
            }
        });
        return ok && valid ? new SignatureRctBulletproofs(signatures, commitments, rangeProofBytes, rangeProofs, pseudoTokens, outputTokens) : null;
    }

    private static void AppendIds(ReadOnlySpan<byte> context, IReadOnlyList<ulong> ids, DigestTranscript transcript)
    {
        if (ids.Count == 0)
        {
            return;
        }

        transcript.AppendSequenceHeader(context, (ulong)ids.Count);
        foreach (var id in ids)
        {
            transcript.AppendUInt64(""u8, id);
        }
    }

    private static void WritePackedFixed64(CodedOutputStream stream, int field, IReadOnlyList<ulong> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        var packed = Proto.Write(p =>
        {
            foreach (var value in values)
            {
                p.WriteFixed64(value);
            }
        });
        Proto.Bytes(stream, field, packed);
    }
}

/// <summary>A signed transaction (<c>external.Tx</c>): its prefix, its RingCT signature, and an optional fee-map digest.</summary>
public sealed class Tx : IDigestible
{
    /// <summary>A transaction from its parts.</summary>
    public Tx(TxPrefix prefix, SignatureRctBulletproofs signature, ReadOnlyMemory<byte> feeMapDigest = default)
    {
        Prefix = prefix ?? throw new ArgumentNullException(nameof(prefix));
        Signature = signature ?? throw new ArgumentNullException(nameof(signature));
        FeeMapDigest = feeMapDigest;
    }

    /// <summary>The prefix.</summary>
    public TxPrefix Prefix { get; }

    /// <summary>The signature.</summary>
    public SignatureRctBulletproofs Signature { get; }

    /// <summary>The fee-map digest the client built against, or empty.</summary>
    public ReadOnlyMemory<byte> FeeMapDigest { get; }

    /// <summary>The key images of the inputs (one per MLSAG).</summary>
    public IReadOnlyList<KeyImage> KeyImages => Signature.RingSignatures.Select(s => s.KeyImage).ToList();

    /// <summary>The transaction hash: its digest under "mobilecoin-tx".</summary>
    public byte[] Hash() => DigestTranscript.Digest32("mobilecoin-tx"u8, this);

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        transcript.AppendAggregateHeader(context, "Tx"u8);
        Prefix.AppendTo("prefix"u8, transcript);
        Signature.AppendTo("signature"u8, transcript);
        transcript.AppendBytesAllowOmit("fee_map_digest"u8, FeeMapDigest.Span);
        transcript.AppendAggregateCloser(context, "Tx"u8);
    }

    /// <summary>The <c>external.Tx</c> encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(s =>
    {
        Proto.Message(s, 1, Prefix.ToProtobuf());
        Proto.Message(s, 2, Signature.ToProtobuf());
        Proto.BytesIfAny(s, 3, FeeMapDigest.Span);
    });

    /// <summary>Parses an <c>external.Tx</c>; false if any part is malformed.</summary>
    public static bool TryParseProtobuf(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out Tx? tx)
    {
        tx = null;
        TxPrefix? prefix = null;
        SignatureRctBulletproofs? signature = null;
        byte[] feeMap = [];
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            if (wire != WireFormat.WireType.LengthDelimited)
            {
                return false;
            }

            switch (field)
            {
                case 1:
                    prefix = TxPrefix.Parse(input.ReadBytes().Span);
                    return true;
                case 2:
                    signature = SignatureRctBulletproofs.Parse(input.ReadBytes().Span);
                    return true;
                case 3:
                    feeMap = input.ReadBytes().ToByteArray();
                    return true;
                default:
                    return false;
            }
        });
        if (!ok || prefix is null || signature is null)
        {
            return false;
        }

        tx = new Tx(prefix, signature, feeMap);
        return true;
    }
}
