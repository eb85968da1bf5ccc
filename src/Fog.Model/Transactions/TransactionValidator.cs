using Fog.Crypto.Ristretto;
using Fog.Model.Encoding;
using Fog.Model.Ledger;

namespace Fog.Model.Transactions;

/// <summary>
/// The outcome of validating a transaction. Values are MobileCoin's <c>consensus_common.ProposeTxResult</c> codes
/// where one exists; codes from 1000 are ours, for rules the reference folds into another code.
/// </summary>
public enum TxValidationResult
{
    /// <summary>Valid.</summary>
    Ok = 0,

    /// <summary>An input's ring and proofs differ in count.</summary>
    InputsProofsLengthMismatch = 10,

    /// <summary>No inputs.</summary>
    NoInputs = 11,

    /// <summary>More than 16 inputs.</summary>
    TooManyInputs = 12,

    /// <summary>Not one ring signature and one pseudo-output per input (or token ids missing or extra).</summary>
    InsufficientInputSignatures = 13,

    /// <summary>An MLSAG does not verify.</summary>
    InvalidTransactionSignature = 15,

    /// <summary>The range proofs do not verify.</summary>
    InvalidRangeProof = 16,

    /// <summary>A ring has fewer than 11 members.</summary>
    InsufficientRingSize = 17,

    /// <summary>The tombstone block has been reached.</summary>
    TombstoneBlockExceeded = 18,

    /// <summary>The tombstone block is more than 20160 blocks ahead.</summary>
    TombstoneBlockTooFar = 19,

    /// <summary>No outputs.</summary>
    NoOutputs = 20,

    /// <summary>More than 16 outputs.</summary>
    TooManyOutputs = 21,

    /// <summary>A ring has more than 11 members.</summary>
    ExcessiveRingSize = 22,

    /// <summary>A TxOut appears twice among the rings.</summary>
    DuplicateRingElements = 23,

    /// <summary>A ring is not sorted by public key.</summary>
    UnsortedRingElements = 24,

    /// <summary>A key image is already in the ledger (a double spend).</summary>
    ContainsSpentKeyImage = 27,

    /// <summary>Two inputs have the same key image.</summary>
    DuplicateKeyImages = 28,

    /// <summary>Two outputs have the same public key.</summary>
    DuplicateOutputPublicKey = 29,

    /// <summary>An output's public key is already in the ledger.</summary>
    ContainsExistingOutputPublicKey = 30,

    /// <summary>A ring member has no membership proof.</summary>
    MissingTxOutMembershipProof = 31,

    /// <summary>A membership proof does not verify against the ledger.</summary>
    InvalidTxOutMembershipProof = 32,

    /// <summary>A key or commitment is not a valid ristretto255 point.</summary>
    InvalidRistrettoPublicKey = 33,

    /// <summary>The fee is below the minimum for its token.</summary>
    TxFeeError = 37,

    /// <summary>Inputs are not sorted by their first ring member's public key.</summary>
    UnsortedInputs = 39,

    /// <summary>An output lacks its memo (block version 1+).</summary>
    MissingMemo = 40,

    /// <summary>An output has a memo at block version 0.</summary>
    MemosNotAllowed = 41,

    /// <summary>The fee token or an output's token is not configured.</summary>
    TokenNotYetConfigured = 42,

    /// <summary>An output lacks its 8-byte masked token id (block version 2+).</summary>
    MissingMaskedTokenId = 43,

    /// <summary>An output has a masked token id before block version 2.</summary>
    MaskedTokenIdNotAllowed = 44,

    /// <summary>Outputs are not sorted by public key (block version 3+).</summary>
    UnsortedOutputs = 45,

    /// <summary>An input carries input rules, which this ledger does not support.</summary>
    InputRulesNotAllowed = 46,

    /// <summary>An output's masked amount version does not match the block version.</summary>
    UnknownMaskedAmountVersion = 49,

    /// <summary>Ours: the commitments do not balance (Σ outputs + fee − Σ pseudo-outputs ≠ 0).</summary>
    ValueNotConserved = 1001,

    /// <summary>Ours: the transaction is for a block version this node does not run.</summary>
    UnsupportedBlockVersion = 1002,
}

/// <summary>What validation needs to know of the ledger (read-only).</summary>
public interface ILedgerView
{
    /// <summary>Number of blocks: the index the next block will have.</summary>
    ulong NumBlocks { get; }

    /// <summary>Whether a key image has been spent.</summary>
    bool ContainsKeyImage(KeyImage keyImage);

    /// <summary>Whether a TxOut with this public key exists.</summary>
    bool ContainsTxOutPublicKey(ReadOnlySpan<byte> publicKey);

    /// <summary>
    /// The Merkle root of the TxOut tree as it was when it had <paramref name="highestIndex"/> + 1 leaves, or null if
    /// the ledger has not reached that size. (Proofs of any age verify against the root of their own size.)
    /// </summary>
    MembershipElement? GetRootElementAt(ulong highestIndex);
}

/// <summary>Verifies a transaction's range proofs.</summary>
public interface IRangeProofVerifier
{
    /// <summary>
    /// A short description for start-up logs, stating plainly what is and is not checked.
    /// </summary>
    string Description { get; }

    /// <summary>Whether the range proofs prove every output and pseudo-output value is in [0, 2^64).</summary>
    bool Verify(Tx tx, BlockVersion blockVersion);
}

/// <summary>
/// A stand-in until Bulletproofs land: accepts every transaction WITHOUT checking range proofs. A client could then
/// commit to a negative value and create money; a node using this must say so at start-up.
/// </summary>
public sealed class UncheckedRangeProofs : IRangeProofVerifier
{
    /// <inheritdoc />
    public string Description => "RANGE PROOFS ARE NOT VERIFIED: amounts are only checked to balance, so a malicious client could create value. Development use only.";

    /// <inheritdoc />
    public bool Verify(Tx tx, BlockVersion blockVersion) => true;
}

/// <summary>Validation settings.</summary>
public sealed record TxValidationOptions
{
    /// <summary>Members per ring.</summary>
    public int RingSize { get; init; } = TransactionBuilder.RingSize;

    /// <summary>How far ahead a tombstone block may be.</summary>
    public ulong MaxTombstoneBlocks { get; init; } = 20160;

    /// <summary>Configured tokens and their minimum fees (MOB: 400 000 000 picoMOB = 0.0004 MOB).</summary>
    public IReadOnlyDictionary<ulong, ulong> MinimumFees { get; init; } = new Dictionary<ulong, ulong> { [Amount.MobTokenId] = 400_000_000 };

    /// <summary>The range-proof verifier.</summary>
    public required IRangeProofVerifier RangeProofs { get; init; }
}

/// <summary>
/// Checks a transaction against MobileCoin's rules, in the reference's order, returning the code of the first rule
/// broken: counts, ring sizes, uniqueness and sortedness, membership proofs, signature (structure, commitments, range
/// proofs, balance, MLSAGs), fee, key-image and output-key uniqueness, tombstone, output structure, output order, input
/// rules; then the ledger state: no spent key image, no existing output key.
/// </summary>
public static class TransactionValidator
{
    /// <summary>Validates <paramref name="tx"/> for inclusion in the next block of <paramref name="ledger"/>.</summary>
    public static TxValidationResult Validate(Tx tx, BlockVersion blockVersion, ILedgerView ledger, TxValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(options);
        var result = ValidateWellFormed(tx, blockVersion, ledger, options);
        return result != TxValidationResult.Ok ? result : ValidateAgainstLedgerState(tx, ledger);
    }

    /// <summary>The checks that do not depend on which key images and outputs the ledger holds.</summary>
    public static TxValidationResult ValidateWellFormed(Tx tx, BlockVersion blockVersion, ILedgerView ledger, TxValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(options);
        var prefix = tx.Prefix;
        var checks = new Func<TxValidationResult>[]
        {
            () => blockVersion > BlockVersion.Max ? TxValidationResult.UnsupportedBlockVersion : TxValidationResult.Ok,
            () => Count(prefix.Inputs.Count, TransactionBuilder.MaxInputs, TxValidationResult.NoInputs, TxValidationResult.TooManyInputs),
            () => Count(prefix.Outputs.Count, TransactionBuilder.MaxOutputs, TxValidationResult.NoOutputs, TxValidationResult.TooManyOutputs),
            () => RingSizes(prefix, options.RingSize),
            () => RingElementsUnique(prefix),
            () => RingElementsSorted(prefix),
            () => InputsSorted(prefix),
            () => MembershipProofs(prefix, ledger),
            () => Signature(tx, blockVersion, options),
            () => Fee(tx, blockVersion, options),
            () => Unique(tx.KeyImages.Select(k => k.ToArray()), TxValidationResult.DuplicateKeyImages),
            () => Unique(prefix.Outputs.Select(o => o.PublicKey.ToArray()), TxValidationResult.DuplicateOutputPublicKey),
            () => Tombstone(prefix.TombstoneBlock, ledger.NumBlocks, options.MaxTombstoneBlocks),
            () => OutputStructure(prefix, blockVersion),
            () => !blockVersion.TransactionOutputsMustBeSorted || IsStrictlySorted(prefix.Outputs.Select(o => o.PublicKey.ToArray()).ToList())
                ? TxValidationResult.Ok
                : TxValidationResult.UnsortedOutputs,
            () => prefix.Inputs.Any(i => i.HasInputRules) ? TxValidationResult.InputRulesNotAllowed : TxValidationResult.Ok,
        };
        foreach (var check in checks)
        {
            var result = check();
            if (result != TxValidationResult.Ok)
            {
                return result;
            }
        }

        return TxValidationResult.Ok;
    }

    /// <summary>No input already spent, no output key already present.</summary>
    public static TxValidationResult ValidateAgainstLedgerState(Tx tx, ILedgerView ledger)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(ledger);
        if (tx.KeyImages.Any(ledger.ContainsKeyImage))
        {
            return TxValidationResult.ContainsSpentKeyImage;
        }

        return tx.Prefix.Outputs.Any(o => ledger.ContainsTxOutPublicKey(o.PublicKey))
            ? TxValidationResult.ContainsExistingOutputPublicKey
            : TxValidationResult.Ok;
    }

    private static TxValidationResult Count(int count, int max, TxValidationResult none, TxValidationResult tooMany) =>
        count == 0 ? none : count > max ? tooMany : TxValidationResult.Ok;

    private static TxValidationResult RingSizes(TxPrefix prefix, int ringSize)
    {
        foreach (var input in prefix.Inputs)
        {
            if (input.Ring.Count < ringSize)
            {
                return TxValidationResult.InsufficientRingSize;
            }

            if (input.Ring.Count > ringSize)
            {
                return TxValidationResult.ExcessiveRingSize;
            }
        }

        return TxValidationResult.Ok;
    }

    private static TxValidationResult RingElementsUnique(TxPrefix prefix) =>
        Unique(prefix.Inputs.SelectMany(i => i.Ring).Select(o => o.PublicKey.ToArray()), TxValidationResult.DuplicateRingElements);

    private static TxValidationResult RingElementsSorted(TxPrefix prefix) =>
        prefix.Inputs.All(i => IsStrictlySorted(i.Ring.Select(o => o.PublicKey.ToArray()).ToList()))
            ? TxValidationResult.Ok
            : TxValidationResult.UnsortedRingElements;

    private static TxValidationResult InputsSorted(TxPrefix prefix) =>
        IsStrictlySorted(prefix.Inputs.Select(i => i.Ring[0].PublicKey.ToArray()).ToList())
            ? TxValidationResult.Ok
            : TxValidationResult.UnsortedInputs;

    private static TxValidationResult MembershipProofs(TxPrefix prefix, ILedgerView ledger)
    {
        foreach (var input in prefix.Inputs)
        {
            if (input.Proofs.Count < input.Ring.Count)
            {
                return TxValidationResult.MissingTxOutMembershipProof;
            }

            if (input.Proofs.Count != input.Ring.Count)
            {
                return TxValidationResult.InputsProofsLengthMismatch;
            }

            for (var i = 0; i < input.Ring.Count; i++)
            {
                var proof = input.Proofs[i];
                var root = ledger.GetRootElementAt(proof.HighestIndex);
                if (root is null || !proof.IsValidFor(input.Ring[i], root.Hash))
                {
                    return TxValidationResult.InvalidTxOutMembershipProof;
                }
            }
        }

        return TxValidationResult.Ok;
    }

    private static TxValidationResult Signature(Tx tx, BlockVersion blockVersion, TxValidationOptions options)
    {
        var prefix = tx.Prefix;
        var signature = tx.Signature;
        var inputs = prefix.Inputs.Count;
        var tokenIdsExpected = blockVersion.MixedTransactionsAreSupported;
        if (signature.RingSignatures.Count != inputs || signature.PseudoOutputCommitments.Count != inputs ||
            (tokenIdsExpected
                ? signature.PseudoOutputTokenIds.Count != inputs || signature.OutputTokenIds.Count != prefix.Outputs.Count
                : signature.PseudoOutputTokenIds.Count != 0 || signature.OutputTokenIds.Count != 0))
        {
            return TxValidationResult.InsufficientInputSignatures;
        }

        if (Unique(tx.KeyImages.Select(k => k.ToArray()), TxValidationResult.DuplicateKeyImages) != TxValidationResult.Ok)
        {
            return TxValidationResult.DuplicateKeyImages;
        }

        if (!signature.PseudoOutputCommitments.Concat(prefix.Outputs.Select(o => o.MaskedAmount.Commitment.ToArray())).All(c => Ristretto255.IsValidPoint(c)))
        {
            return TxValidationResult.InvalidRistrettoPublicKey;
        }

        if (!options.RangeProofs.Verify(tx, blockVersion))
        {
            return TxValidationResult.InvalidRangeProof;
        }

        if (!IsBalanced(tx, prefix))
        {
            return TxValidationResult.ValueNotConserved;
        }

        var digest = SigningDigest.Compute(blockVersion, prefix, signature.PseudoOutputCommitments, signature.RangeProofBytes.Span, signature.RangeProofs);
        for (var i = 0; i < inputs; i++)
        {
            if (!signature.RingSignatures[i].Verify(digest, prefix.Inputs[i].RingMembers, signature.PseudoOutputCommitments[i]))
            {
                return TxValidationResult.InvalidTransactionSignature;
            }
        }

        return TxValidationResult.Ok;
    }

    // Σ outputs + fee·H_fee_token − Σ pseudo-outputs must be the identity (the fee's blinding is 0).
    private static bool IsBalanced(Tx tx, TxPrefix prefix)
    {
        Span<byte> sum = stackalloc byte[32];
        Span<byte> fee = stackalloc byte[32];
        PedersenGenerators.Commit(prefix.Fee, prefix.FeeTokenId, new byte[32], fee);
        sum.Clear();
        if (!Ristretto255.TryAdd(sum, fee, sum))
        {
            return false;
        }

        foreach (var output in prefix.Outputs)
        {
            if (!Ristretto255.TryAdd(sum, output.MaskedAmount.Commitment, sum))
            {
                return false;
            }
        }

        foreach (var pseudo in tx.Signature.PseudoOutputCommitments)
        {
            if (!Ristretto255.TrySubtract(sum, pseudo, sum))
            {
                return false;
            }
        }

        return Ristretto255.IsIdentity(sum);
    }

    private static TxValidationResult Fee(Tx tx, BlockVersion blockVersion, TxValidationOptions options)
    {
        if (!options.MinimumFees.TryGetValue(tx.Prefix.FeeTokenId, out var minimum) ||
            (blockVersion.MixedTransactionsAreSupported && tx.Signature.OutputTokenIds.Any(t => !options.MinimumFees.ContainsKey(t))))
        {
            return TxValidationResult.TokenNotYetConfigured;
        }

        return tx.Prefix.Fee < minimum ? TxValidationResult.TxFeeError : TxValidationResult.Ok;
    }

    private static TxValidationResult Tombstone(ulong tombstone, ulong currentBlockIndex, ulong maxBlocks)
    {
        if (tombstone <= currentBlockIndex)
        {
            return TxValidationResult.TombstoneBlockExceeded;
        }

        return tombstone - currentBlockIndex > maxBlocks ? TxValidationResult.TombstoneBlockTooFar : TxValidationResult.Ok;
    }

    private static TxValidationResult OutputStructure(TxPrefix prefix, BlockVersion blockVersion)
    {
        foreach (var output in prefix.Outputs)
        {
            if (output.HasMemo != blockVersion.EncryptedMemoIsSupported)
            {
                return output.HasMemo ? TxValidationResult.MemosNotAllowed : TxValidationResult.MissingMemo;
            }

            var hasTokenId = output.MaskedAmount.MaskedTokenId.Length == MaskedAmount.MaskedTokenIdSize;
            if (hasTokenId != blockVersion.MaskedTokenIdIsSupported)
            {
                return hasTokenId ? TxValidationResult.MaskedTokenIdNotAllowed : TxValidationResult.MissingMaskedTokenId;
            }

            var expectedVersion = blockVersion.MaskedAmountV2IsSupported ? MaskedAmountVersion.V2 : MaskedAmountVersion.V1;
            if (output.MaskedAmount.Version != expectedVersion)
            {
                return TxValidationResult.UnknownMaskedAmountVersion;
            }
        }

        return TxValidationResult.Ok;
    }

    private static TxValidationResult Unique(IEnumerable<byte[]> keys, TxValidationResult duplicate)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return keys.All(k => seen.Add(Convert.ToHexString(k))) ? TxValidationResult.Ok : duplicate;
    }

    private static bool IsStrictlySorted(IReadOnlyList<byte[]> keys)
    {
        for (var i = 1; i < keys.Count; i++)
        {
            if (ByteOrder.Instance.Compare(keys[i - 1], keys[i]) >= 0)
            {
                return false;
            }
        }

        return true;
    }
}
