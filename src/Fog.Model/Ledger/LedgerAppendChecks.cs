using Fog.Model.Transactions;

namespace Fog.Model.Ledger;

/// <summary>
/// The structural checks every ledger makes before appending a block (MobileCoin's <c>validate_append_block</c>), shared
/// by all <see cref="ILedgerStore"/> implementations.
/// </summary>
public static class LedgerAppendChecks
{
    /// <summary>
    /// Checks <paramref name="data"/> as the next block after <paramref name="last"/> (null for an empty ledger) in a
    /// ledger of <paramref name="numTxOuts"/> TxOuts, with the given key-image and output-key lookups.
    /// </summary>
    public static LedgerAppendResult Check(
        BlockData data,
        Block? last,
        ulong numTxOuts,
        Func<KeyImage, bool> isSpent,
        Func<byte[], bool> outputKeyExists)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(isSpent);
        ArgumentNullException.ThrowIfNull(outputKeyExists);
        var block = data.Block;
        var contents = data.Contents;
        if (last is null)
        {
            if (block.Index != 0)
            {
                return LedgerAppendResult.WrongIndex;
            }

            if (block.Version != 0)
            {
                return LedgerAppendResult.WrongVersion;
            }

            if (block.ParentId.IndexOfAnyExcept((byte)0) >= 0)
            {
                return LedgerAppendResult.WrongParent;
            }
        }
        else
        {
            if (block.Index != last.Index + 1)
            {
                return LedgerAppendResult.WrongIndex;
            }

            if (block.Version < last.Version || block.Version > BlockVersion.Max.Value)
            {
                return LedgerAppendResult.WrongVersion;
            }

            if (!block.ParentId.SequenceEqual(last.Id))
            {
                return LedgerAppendResult.WrongParent;
            }
        }

        if (contents.Outputs.Count == 0 || (block.Index > 0 && contents.KeyImages.Count == 0))
        {
            return LedgerAppendResult.EmptyContents;
        }

        if (block.CumulativeTxoCount != numTxOuts + (ulong)contents.Outputs.Count)
        {
            return LedgerAppendResult.WrongTxOutCount;
        }

        if (!block.ContentsHash.SequenceEqual(contents.Hash()))
        {
            return LedgerAppendResult.ContentsHashMismatch;
        }

        if (!block.IsIdValid)
        {
            return LedgerAppendResult.InvalidBlockId;
        }

        var keyImages = new HashSet<string>(StringComparer.Ordinal);
        if (contents.KeyImages.Any(k => !keyImages.Add(k.ToString()) || isSpent(k)))
        {
            return LedgerAppendResult.KeyImageAlreadySpent;
        }

        var outputKeys = new HashSet<string>(StringComparer.Ordinal);
        return contents.Outputs.Any(o => !outputKeys.Add(Convert.ToHexString(o.PublicKey)) || outputKeyExists(o.PublicKey.ToArray()))
            ? LedgerAppendResult.DuplicateOutputPublicKey
            : LedgerAppendResult.Ok;
    }
}
