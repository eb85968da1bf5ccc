using Fog.Crypto.Digestible;
using Fog.Crypto.Merlin;

namespace Fog.Model.Transactions;

/// <summary>
/// The message every MLSAG of a transaction signs (MobileCoin's <c>compute_mlsag_signing_digest</c>):
/// <list type="bullet">
/// <item>block version 0–1: TxPrefix hash ‖ pseudo-output commitments ‖ range-proof bytes;</item>
/// <item>version 2: the "extended message", a Merlin digest (label "mc_extended_message") of the prefix hash, the
/// pseudo-output commitments and the range proofs;</item>
/// <item>version 3+: a Merlin digest (label "mc_extended_message_and_tx_summary") of the extended message and the
/// transaction summary (outputs' masked amounts and keys, inputs' pseudo-outputs, fee, fee token, tombstone).</item>
/// </list>
/// </summary>
public static class SigningDigest
{
    /// <summary>The digest for <paramref name="prefix"/> with the given pseudo-outputs and range proofs.</summary>
    public static byte[] Compute(
        BlockVersion blockVersion,
        TxPrefix prefix,
        IReadOnlyList<byte[]> pseudoOutputCommitments,
        ReadOnlySpan<byte> rangeProofBytes,
        IReadOnlyList<byte[]> rangeProofs)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(pseudoOutputCommitments);
        ArgumentNullException.ThrowIfNull(rangeProofs);
        var message = prefix.Hash();
        if (!blockVersion.MlsagsSignExtendedMessageDigest)
        {
            return [.. message, .. pseudoOutputCommitments.SelectMany(c => c), .. rangeProofBytes];
        }

        var extended = new DigestTranscript(new MerlinTranscript("mc_extended_message"u8));
        extended.AppendBytes("message"u8, message);
        AppendCommitments("pseudo_output_commitments"u8, pseudoOutputCommitments, extended, allowOmit: false);
        extended.AppendBytesAllowOmit("range_proof_bytes"u8, rangeProofBytes);
        AppendByteStrings("range_proofs"u8, rangeProofs, extended);
        var extendedMessage = extended.ExtractDigest();
        if (!blockVersion.MlsagsSignExtendedMessageAndTxSummaryDigest)
        {
            return extendedMessage;
        }

        var withSummary = new DigestTranscript(new MerlinTranscript("mc_extended_message_and_tx_summary"u8));
        withSummary.AppendBytes("extended_message"u8, extendedMessage);
        AppendTxSummary("tx_summary"u8, prefix, pseudoOutputCommitments, withSummary);
        return withSummary.ExtractDigest();
    }

    /// <summary>A sequence of compressed commitments (transparent over "ristretto" primitives).</summary>
    internal static void AppendCommitments(ReadOnlySpan<byte> context, IReadOnlyList<byte[]> commitments, DigestTranscript transcript, bool allowOmit)
    {
        if (commitments.Count == 0)
        {
            if (!allowOmit)
            {
                transcript.AppendNone(context);
            }

            return;
        }

        transcript.AppendSequenceHeader(context, (ulong)commitments.Count);
        foreach (var commitment in commitments)
        {
            transcript.AppendRistretto(""u8, commitment);
        }
    }

    /// <summary>A struct-field sequence of byte strings: nothing when empty.</summary>
    internal static void AppendByteStrings(ReadOnlySpan<byte> context, IReadOnlyList<byte[]> items, DigestTranscript transcript)
    {
        if (items.Count == 0)
        {
            return;
        }

        transcript.AppendSequenceHeader(context, (ulong)items.Count);
        foreach (var item in items)
        {
            transcript.AppendBytes(""u8, item);
        }
    }

    // TxSummary { outputs: [TxOutSummary], inputs: [TxInSummary], fee, fee_token_id, tombstone_block }
    private static void AppendTxSummary(ReadOnlySpan<byte> context, TxPrefix prefix, IReadOnlyList<byte[]> pseudoOutputCommitments, DigestTranscript transcript)
    {
        transcript.AppendAggregateHeader(context, "TxSummary"u8);
        if (prefix.Outputs.Count > 0)
        {
            transcript.AppendSequenceHeader("outputs"u8, (ulong)prefix.Outputs.Count);
            foreach (var output in prefix.Outputs)
            {
                transcript.AppendAggregateHeader(""u8, "TxOutSummary"u8);
                output.MaskedAmount.AppendTo("masked_amount"u8, transcript);
                transcript.AppendRistretto("target_key"u8, output.TargetKey);
                transcript.AppendRistretto("public_key"u8, output.PublicKey);
                transcript.AppendBool("associated_to_input_rules"u8, false);
                transcript.AppendAggregateCloser(""u8, "TxOutSummary"u8);
            }
        }

        if (pseudoOutputCommitments.Count > 0)
        {
            transcript.AppendSequenceHeader("inputs"u8, (ulong)pseudoOutputCommitments.Count);
            foreach (var commitment in pseudoOutputCommitments)
            {
                // input_rules_digest is empty (no input rules) and so omitted.
                transcript.AppendAggregateHeader(""u8, "TxInSummary"u8);
                transcript.AppendRistretto("pseudo_output_commitment"u8, commitment);
                transcript.AppendAggregateCloser(""u8, "TxInSummary"u8);
            }
        }

        transcript.AppendUInt64("fee"u8, prefix.Fee);
        transcript.AppendUInt64("fee_token_id"u8, prefix.FeeTokenId);
        transcript.AppendUInt64("tombstone_block"u8, prefix.TombstoneBlock);
        transcript.AppendAggregateCloser(context, "TxSummary"u8);
    }
}
