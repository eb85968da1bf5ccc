namespace Fog.Model.Transactions;

/// <summary>The block format version, which gates transaction features (MobileCoin's <c>BlockVersion</c>).</summary>
/// <param name="Value">The version number, 0 to <see cref="Max"/>.</param>
public readonly record struct BlockVersion(uint Value) : IComparable<BlockVersion>
{
    /// <summary>The origin block's version.</summary>
    public static BlockVersion Zero => new(0);

    /// <summary>Version 1: encrypted memos.</summary>
    public static BlockVersion One => new(1);

    /// <summary>Version 2: masked token ids, extended MLSAG message.</summary>
    public static BlockVersion Two => new(2);

    /// <summary>Version 3: masked amounts V2, mixed transactions, sorted outputs, block metadata.</summary>
    public static BlockVersion Three => new(3);

    /// <summary>Version 4.</summary>
    public static BlockVersion Four => new(4);

    /// <summary>The newest version this build supports.</summary>
    public static BlockVersion Max => Four;

    /// <summary>TxOuts carry an encrypted memo.</summary>
    public bool EncryptedMemoIsSupported => Value >= 1;

    /// <summary>Masked amounts carry an 8-byte masked token id.</summary>
    public bool MaskedTokenIdIsSupported => Value >= 2;

    /// <summary>MLSAGs sign the extended message digest.</summary>
    public bool MlsagsSignExtendedMessageDigest => Value >= 2;

    /// <summary>Transactions may mix tokens.</summary>
    public bool MixedTransactionsAreSupported => Value >= 3;

    /// <summary>Outputs must be sorted by public key.</summary>
    public bool TransactionOutputsMustBeSorted => Value >= 3;

    /// <summary>TxOuts use <see cref="MaskedAmountVersion.V2"/>.</summary>
    public bool MaskedAmountV2IsSupported => Value >= 3;

    /// <summary>MLSAGs sign the extended message and the transaction summary.</summary>
    public bool MlsagsSignExtendedMessageAndTxSummaryDigest => Value >= 3;

    /// <summary>Blocks need signed metadata.</summary>
    public bool RequiresBlockMetadata => Value >= 3;

    /// <inheritdoc />
    public int CompareTo(BlockVersion other) => Value.CompareTo(other.Value);

    /// <summary>Ordering.</summary>
    public static bool operator <(BlockVersion left, BlockVersion right) => left.Value < right.Value;

    /// <summary>Ordering.</summary>
    public static bool operator >(BlockVersion left, BlockVersion right) => left.Value > right.Value;

    /// <summary>Ordering.</summary>
    public static bool operator <=(BlockVersion left, BlockVersion right) => left.Value <= right.Value;

    /// <summary>Ordering.</summary>
    public static bool operator >=(BlockVersion left, BlockVersion right) => left.Value >= right.Value;

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
