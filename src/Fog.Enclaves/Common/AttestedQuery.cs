using Fog.Api.Attest;
using Fog.Attestation;
using Google.Protobuf;

namespace Fog.Enclaves.Common;

/// <summary>What <see cref="AttestedMapEnclave{TStore}.AnswerAttested"/> needs to know about one kind of attested query.</summary>
/// <param name="Parser">Parses the decrypted query.</param>
/// <param name="MessageName">The query's protobuf name, for the "malformed" refusal (e.g. <c>fog_view.QueryRequest</c>).</param>
/// <param name="ItemsName">What the query carries, plural, for the "too many" refusal (e.g. <c>search keys</c>).</param>
/// <param name="CountItems">How many items a query carries (public: the request's size shows it).</param>
internal sealed record AttestedQueryShape<TQuery>(MessageParser<TQuery> Parser, string MessageName, string ItemsName, Func<TQuery, int> CountItems)
    where TQuery : IMessage<TQuery>;

/// <summary>How an attested query ended; each enclave maps it onto its own public status.</summary>
internal enum AttestedReplyStatus
{
    /// <summary>Answered.</summary>
    Ok,

    /// <summary>The channel could not decrypt the request or encrypt the reply.</summary>
    ChannelError,

    /// <summary>The decrypted request is not the expected message.</summary>
    MalformedRequest,

    /// <summary>The request carries more items than allowed.</summary>
    TooManyItems,
}

/// <summary>The outcome of an attested query, before the enclave turns it into its public result type.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Response">The encrypted reply when <paramref name="Status"/> is Ok.</param>
/// <param name="ChannelError">Why the channel refused, for <see cref="AttestedReplyStatus.ChannelError"/>.</param>
/// <param name="ItemCount">Items the query carried (0 when it could not be read).</param>
/// <param name="Detail">A message a client can act on when the query was refused.</param>
internal readonly record struct AttestedReply(AttestedReplyStatus Status, Message? Response, AttestError? ChannelError, int ItemCount, string? Detail)
{
    /// <summary>A refusal.</summary>
    public static AttestedReply Refused(AttestedReplyStatus status, string detail, int itemCount = 0, AttestError? channelError = null) =>
        new(status, null, channelError, itemCount, detail);

    /// <summary>The enclave's own public status for <see cref="Status"/> (each enclave has kept its own status enum).</summary>
    public TStatus StatusAs<TStatus>(TStatus ok, TStatus channelError, TStatus malformedRequest, TStatus tooManyItems) => Status switch
    {
        AttestedReplyStatus.Ok => ok,
        AttestedReplyStatus.ChannelError => channelError,
        AttestedReplyStatus.MalformedRequest => malformedRequest,
        _ => tooManyItems,
    };
}
