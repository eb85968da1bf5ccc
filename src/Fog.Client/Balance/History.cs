using Fog.Model.Addresses;
using Fog.Model.Keys;
using Fog.Model.Memos;
using Fog.Model.Transactions;

namespace Fog.Client.Balance;

/// <summary>Which way a history entry moved value.</summary>
public enum HistoryDirection
{
    /// <summary>A payment received.</summary>
    Received,

    /// <summary>A payment sent (recorded by the destination memo on its change output).</summary>
    Sent,
}

/// <summary>One line of a wallet's history.</summary>
public sealed record HistoryEntry
{
    /// <summary>Received or sent.</summary>
    public required HistoryDirection Direction { get; init; }

    /// <summary>The value received, or sent to the recipient (fee excluded).</summary>
    public required ulong Value { get; init; }

    /// <summary>The token.</summary>
    public required ulong TokenId { get; init; }

    /// <summary>The fee, for a sent payment.</summary>
    public ulong Fee { get; init; }

    /// <summary>The block.</summary>
    public required ulong BlockIndex { get; init; }

    /// <summary>The block's timestamp (seconds since the Unix epoch; 0 if unknown).</summary>
    public ulong Timestamp { get; init; }

    /// <summary>
    /// The counterparty's short address hash as the memo states it (hex), or null without a memo naming one. For a
    /// received payment it is authenticated only when <see cref="CounterpartyVerified"/> is true.
    /// </summary>
    public string? CounterpartyHash { get; init; }

    /// <summary>The contact name matching the counterparty, if any.</summary>
    public string? CounterpartyName { get; init; }

    /// <summary>For a received payment: the memo's HMAC verified against the named contact's address.</summary>
    public bool CounterpartyVerified { get; init; }

    /// <summary>Whether the output (received) has since been spent.</summary>
    public bool Spent { get; init; }
}

/// <summary>The wallet's history from its owned outputs and their memos (MCIP #4 recoverable transaction history).</summary>
internal static class History
{
    internal static IReadOnlyList<HistoryEntry> From(FogClientState state, AccountKey account, IReadOnlyDictionary<string, PublicAddress> contacts)
    {
        var byHash = contacts.ToDictionary(c => c.Value.ShortHash.ToString(), c => (Name: c.Key, Address: c.Value), StringComparer.Ordinal);
        var entries = new List<HistoryEntry>();
        foreach (var output in state.Outputs.OrderBy(o => o.BlockIndex).ThenBy(o => o.GlobalIndex))
        {
            var memo = output.Memo.Length == MemoPayload.Size * 2 ? MemoPayload.FromBytes(Convert.FromHexString(output.Memo)) : null;
            if (output.SubaddressIndex == AccountKey.ChangeSubaddressIndex)
            {
                // Change: if it carries a destination memo, it records a payment sent.
                if (memo is not null && DestinationMemo.FromPayload(memo) is { } destination)
                {
                    var hash = destination.Recipient.ToString();
                    entries.Add(new HistoryEntry
                    {
                        Direction = HistoryDirection.Sent,
                        Value = destination.TotalOutlay - destination.Fee,
                        TokenId = output.TokenId,
                        Fee = destination.Fee,
                        BlockIndex = output.BlockIndex,
                        Timestamp = output.Timestamp,
                        CounterpartyHash = hash,
                        CounterpartyName = byHash.TryGetValue(hash, out var contact) ? contact.Name : null,
                        CounterpartyVerified = true,
                    });
                }

                continue;
            }

            string? senderHash = null;
            string? senderName = null;
            var verified = false;
            if (memo?.Type is MemoType.AuthenticatedSender or MemoType.AuthenticatedSenderWithPaymentRequestId or MemoType.AuthenticatedSenderWithPaymentIntentId)
            {
                senderHash = AuthenticatedSenderMemo.ClaimedSender(memo).ToString();
                if (byHash.TryGetValue(senderHash, out var sender) && TxOut.TryParseProtobuf(Convert.FromHexString(output.TxOut), out var txOut))
                {
                    using var view = account.SubaddressViewPrivate(output.SubaddressIndex);
                    verified = AuthenticatedSenderMemo.Validate(memo, sender.Address, view, txOut.PublicKey);
                    senderName = verified ? sender.Name : null;
                }
            }

            entries.Add(new HistoryEntry
            {
                Direction = HistoryDirection.Received,
                Value = output.Value,
                TokenId = output.TokenId,
                BlockIndex = output.BlockIndex,
                Timestamp = output.Timestamp,
                CounterpartyHash = senderHash,
                CounterpartyName = senderName,
                CounterpartyVerified = verified,
                Spent = output.SpentAtBlock is not null,
            });
        }

        return entries;
    }
}
