using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Api.Attest;
using Fog.Attestation;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;
using Google.Protobuf;

namespace Fog.Enclaves.Common;

/// <summary>
/// The plumbing the view and key-image enclaves share: a Noise static key and the attested responder that ends every
/// client channel, the oblivious map behind it with the lock that serialises map work, and the decrypt → parse →
/// answer → encrypt round of an attested query. Subclasses add their loading and their oblivious answers.
/// </summary>
/// <typeparam name="TStore">The enclave's oblivious map; owned (disposed with the enclave).</typeparam>
internal abstract class AttestedMapEnclave<TStore> : IAttestedEnclave
    where TStore : IEnclaveMapStore
{
    private readonly IAttestationProvider _provider;
    private readonly NoiseKeyPair _staticKey;
    private readonly AttestedResponder _responder;
    private bool _disposed;

    /// <summary>
    /// Creates the enclave's Noise static key and attested responder (whose evidence binds
    /// <paramref name="customIdentity"/>, empty for none) and takes ownership of <paramref name="store"/>, which is
    /// disposed here if the responder cannot be created.
    /// </summary>
    protected AttestedMapEnclave(IAttestationProvider provider, string responderId, int maxSessions, TStore store, ReadOnlySpan<byte> customIdentity = default)
    {
        _provider = provider;
        Store = store;
        _staticKey = NoiseKeyPair.Generate();
        try
        {
            _responder = new AttestedResponder(
                new AttestedResponderOptions { ResponderId = responderId, MaxSessions = maxSessions },
                _staticKey,
                provider,
                customIdentity: customIdentity);
        }
        catch
        {
            _staticKey.Dispose();
            store.Dispose();
            throw;
        }
    }

    public EnclaveIdentity Identity => _provider.Identity;

    public bool IsSimulation => _provider.IsSimulation;

    public string ResponderId => _responder.ResponderId;

    public ulong Capacity => Store.Capacity;

    public int SessionCount => _responder.SessionCount;

    /// <summary>Serialises every use of <see cref="Store"/> (the map is not thread-safe) and disposal.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>The oblivious map; use it only while holding <see cref="Gate"/>, after <see cref="ThrowIfDisposed"/>.</summary>
    protected TStore Store { get; }

    /// <summary>Entries in the map (public: the host loaded them).</summary>
    protected ulong StoredCount
    {
        get
        {
            lock (Gate)
            {
                return Store.Count;
            }
        }
    }

    public bool TryAccept(ReadOnlySpan<byte> request, [NotNullWhen(true)] out byte[]? response, [NotNullWhen(false)] out AttestError? error) =>
        _responder.TryAccept(request, out response, out _, out error);

    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _responder.Dispose();
            _staticKey.Dispose();
            Store.Dispose();
        }
    }

    /// <summary>Call while holding <see cref="Gate"/>, before touching <see cref="Store"/>.</summary>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Decrypts a client message on the session it names.</summary>
    protected bool TryDecrypt(Message request, [NotNullWhen(true)] out byte[]? plaintext, [NotNullWhen(false)] out AttestError? error) =>
        _responder.TryDecrypt(request, out plaintext, out error);

    /// <summary>Encrypts a reply for the session <paramref name="request"/> came on, echoing its AAD.</summary>
    protected bool TryEncryptReply(Message request, ReadOnlySpan<byte> reply, [NotNullWhen(true)] out Message? encrypted, [NotNullWhen(false)] out AttestError? error) =>
        _responder.TryEncrypt(request.ChannelId.Span, reply, request.Aad.Span, out encrypted, out error);

    /// <summary>
    /// Runs one attested query: decrypts <paramref name="request"/>, parses it as <typeparamref name="TQuery"/>, refuses
    /// it when it carries more than <paramref name="maxItems"/> items, lets <paramref name="answer"/> build the reply and
    /// encrypts that for the same session. The decrypted query and the plaintext reply are wiped whatever happens.
    /// </summary>
    /// <remarks>
    /// Security: branches only on the channel outcome, the query's parse result and its item count, all of which the
    /// request's size or the client's own behaviour already show; what <paramref name="answer"/> does is its own.
    /// </remarks>
    protected AttestedReply AnswerAttested<TQuery>(Message request, AttestedQueryShape<TQuery> shape, int maxItems, Func<TQuery, byte[]> answer)
        where TQuery : IMessage<TQuery>
    {
        if (!TryDecrypt(request, out var plaintext, out var channelError))
        {
            return AttestedReply.Refused(AttestedReplyStatus.ChannelError, channelError.Message, channelError: channelError);
        }

        byte[]? reply = null;
        try
        {
            TQuery query;
            try
            {
                query = shape.Parser.ParseFrom(plaintext);
            }
            catch (InvalidProtocolBufferException)
            {
                return AttestedReply.Refused(AttestedReplyStatus.MalformedRequest, $"The decrypted request is not a {shape.MessageName}.");
            }

            var count = shape.CountItems(query);
            if (count > maxItems)
            {
                return AttestedReply.Refused(
                    AttestedReplyStatus.TooManyItems,
                    $"A query may carry at most {maxItems} {shape.ItemsName}; this one has {count}. Split it.",
                    itemCount: count);
            }

            reply = answer(query);
            if (!TryEncryptReply(request, reply, out var encrypted, out channelError))
            {
                return AttestedReply.Refused(AttestedReplyStatus.ChannelError, channelError.Message, count, channelError);
            }

            return new AttestedReply(AttestedReplyStatus.Ok, encrypted, null, count, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            if (reply is not null)
            {
                CryptographicOperations.ZeroMemory(reply);
            }
        }
    }
}
