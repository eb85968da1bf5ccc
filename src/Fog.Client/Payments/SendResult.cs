using Fog.Model.Transactions;

namespace Fog.Client.Payments;

/// <summary>How a payment ended.</summary>
public enum SendStatus
{
    /// <summary>The payment is in a block.</summary>
    Confirmed,

    /// <summary>The node refused the transaction (see <see cref="SendResult.Rejection"/>).</summary>
    Rejected,

    /// <summary>The transaction did not reach a block before its tombstone block; nothing was spent.</summary>
    Expired,

    /// <summary>The wallet does not hold enough spendable value.</summary>
    InsufficientFunds,
}

/// <summary>The outcome of a payment.</summary>
public sealed record SendResult
{
    /// <summary>How it ended.</summary>
    public required SendStatus Status { get; init; }

    /// <summary>The node's reason when <see cref="SendStatus.Rejected"/>.</summary>
    public TxValidationResult Rejection { get; init; }

    /// <summary>The block holding the payment, when confirmed.</summary>
    public ulong? BlockIndex { get; init; }

    /// <summary>The amount sent.</summary>
    public ulong Amount { get; init; }

    /// <summary>The fee paid.</summary>
    public ulong Fee { get; init; }

    /// <summary>What the wallet could spend of the token, when <see cref="SendStatus.InsufficientFunds"/>.</summary>
    public ulong Spendable { get; init; }

    /// <summary>The output created for the recipient (its public key identifies the payment).</summary>
    public TxOut? PayeeOutput { get; init; }

    /// <summary>A sentence for people.</summary>
    public string Message { get; init; } = "";
}
