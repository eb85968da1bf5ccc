using System.Diagnostics.CodeAnalysis;
using System.Text;
using Fog.Api.Attest;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;

namespace Fog.Attestation.Channels;

/// <summary>
/// The enclave side of attested channels: answers NX handshakes from clients (and IX handshakes from
/// peer enclaves) with its evidence, and keeps the resulting channels in a bounded LRU session table.
/// </summary>
/// <remarks>
/// This is trusted (enclave) code with no I/O: a host passes bytes in and out. Every method that takes
/// remote input returns a typed error instead of throwing, and a rejected input leaves every session
/// untouched. Thread-safe.
/// </remarks>
/// <example>
/// <code>
/// using var responder = new AttestedResponder(new() { ResponderId = "view.example.com:443" }, staticKey, provider);
/// // Auth:  responder.TryAccept(request.Data.Span, out var reply, out var error)
/// // Query: responder.TryDecrypt(message, out var plaintext, out error);
/// //        responder.TryEncrypt(message.ChannelId.Span, response, message.Aad.Span, out var encrypted, out error);
/// </code>
/// </example>
public sealed class AttestedResponder : IDisposable
{
    private readonly NoiseKeyPair _staticKey;
    private readonly IAttestationProvider _provider;
    private readonly IEvidenceVerifier? _peerVerifier;
    private readonly byte[] _prologue;
    private readonly SessionTable _sessions;
    private byte[] _evidence;

    /// <summary>Creates a responder.</summary>
    /// <param name="options">Responder id and session limit.</param>
    /// <param name="staticKey">The enclave's long-lived Noise static key (borrowed; must outlive the responder).</param>
    /// <param name="provider">Produces the evidence sent in every handshake.</param>
    /// <param name="peerVerifier">Checks peer enclaves' evidence in IX handshakes; null refuses IX.</param>
    /// <param name="customIdentity">32 bytes bound into the evidence (e.g. the ingress public key), or empty.</param>
    public AttestedResponder(AttestedResponderOptions options, NoiseKeyPair staticKey, IAttestationProvider provider, IEvidenceVerifier? peerVerifier = null, ReadOnlySpan<byte> customIdentity = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(staticKey);
        ArgumentNullException.ThrowIfNull(provider);
        options.Validate();
        ResponderId = options.ResponderId;
        _prologue = Encoding.UTF8.GetBytes(options.ResponderId);
        _staticKey = staticKey;
        _provider = provider;
        _peerVerifier = peerVerifier;
        _sessions = new SessionTable(options.MaxSessions);
        _evidence = provider.CreateEvidence(staticKey.PublicKey, customIdentity);
    }

    /// <summary>The responder id (Noise prologue).</summary>
    public string ResponderId { get; }

    /// <summary>True when the evidence is simulated (hosts print a warning).</summary>
    public bool IsSimulation => _provider.IsSimulation;

    /// <summary>The enclave's Noise static public key.</summary>
    public ReadOnlySpan<byte> StaticPublicKey => _staticKey.PublicKey;

    /// <summary>The evidence sent in handshakes (an encoded <c>attest.FogEvidenceEnvelope</c>).</summary>
    public ReadOnlySpan<byte> Evidence => Volatile.Read(ref _evidence);

    /// <summary>Sessions currently held.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>The session limit.</summary>
    public int MaxSessions => _sessions.Capacity;

    /// <summary>Sessions evicted because the table was full.</summary>
    public long Evictions => _sessions.Evictions;

    /// <summary>Produces fresh evidence (e.g. after the custom identity changed); later handshakes send it.</summary>
    public void RefreshEvidence(ReadOnlySpan<byte> customIdentity) =>
        Volatile.Write(ref _evidence, _provider.CreateEvidence(_staticKey.PublicKey, customIdentity));

    /// <summary>Answers a client's NX message 1 with message 2 (carrying the evidence) and opens a session.</summary>
    /// <param name="request">NX message 1 (<c>AuthMessage.data</c>).</param>
    /// <param name="response">NX message 2.</param>
    /// <param name="channelId">The new session's channel id.</param>
    /// <param name="error">Why the request was refused.</param>
    public bool TryAccept(ReadOnlySpan<byte> request, [NotNullWhen(true)] out byte[]? response, out byte[] channelId, [NotNullWhen(false)] out AttestError? error)
    {
        response = null;
        channelId = [];
        using var handshake = NoiseHandshake.Create(NoisePattern.NX, false, _prologue, _staticKey);
        if (request.Length != NoiseKeyPair.PublicKeySizeInBytes)
        {
            error = new AttestError(AttestErrorCode.MalformedHandshakeMessage, $"NX message 1 is the client's {NoiseKeyPair.PublicKeySizeInBytes}-byte ephemeral key; got {request.Length} bytes.");
            return false;
        }

        if (!handshake.TryReadMessage(request, out _, out error))
        {
            return false;
        }

        return TryFinish(handshake, null, out response, out channelId, out error);
    }

    /// <summary>
    /// Answers a peer enclave's IX message 1: verifies the peer's evidence, replies with this enclave's,
    /// and opens a session.
    /// </summary>
    public bool TryAcceptPeer(ReadOnlySpan<byte> request, [NotNullWhen(true)] out byte[]? response, out byte[] channelId, [NotNullWhen(true)] out VerifiedEvidence? peer, [NotNullWhen(false)] out AttestError? error)
    {
        response = null;
        channelId = [];
        peer = null;
        if (_peerVerifier is null)
        {
            error = new AttestError(AttestErrorCode.MalformedHandshakeMessage, "This responder does not accept peer (IX) handshakes.");
            return false;
        }

        using var handshake = NoiseHandshake.Create(NoisePattern.IX, false, _prologue, _staticKey);
        if (!handshake.TryReadMessage(request, out var peerEvidence, out error))
        {
            return false;
        }

        if (!_peerVerifier.TryVerify(peerEvidence, handshake.RemoteStaticPublicKey, out peer, out error))
        {
            return false;
        }

        return TryFinish(handshake, peer, out response, out channelId, out error);
    }

    /// <summary>Decrypts a client message (implicit nonce) on the session its channel id names.</summary>
    public bool TryDecrypt(Message message, [NotNullWhen(true)] out byte[]? plaintext, [NotNullWhen(false)] out AttestError? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        plaintext = null;
        return TryFind(message.ChannelId.Span, out var channel, out error) && channel.TryDecrypt(message, out plaintext, out error);
    }

    /// <summary>Decrypts an explicit-nonce message on the session its channel id names.</summary>
    public bool TryDecrypt(NonceMessage message, [NotNullWhen(true)] out byte[]? plaintext, [NotNullWhen(false)] out AttestError? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        plaintext = null;
        return TryFind(message.ChannelId.Span, out var channel, out error) && channel.TryDecrypt(message, out plaintext, out error);
    }

    /// <summary>Encrypts a reply on a session (implicit nonce).</summary>
    public bool TryEncrypt(ReadOnlySpan<byte> channelId, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, [NotNullWhen(true)] out Message? message, [NotNullWhen(false)] out AttestError? error)
    {
        message = null;
        return TryFind(channelId, out var channel, out error) && channel.TryEncrypt(plaintext, associatedData, out message, out error);
    }

    /// <summary>Encrypts a reply on a session with an explicit nonce.</summary>
    public bool TryEncryptWithNonce(ReadOnlySpan<byte> channelId, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, [NotNullWhen(true)] out NonceMessage? message, [NotNullWhen(false)] out AttestError? error)
    {
        message = null;
        return TryFind(channelId, out var channel, out error) && channel.TryEncryptWithNonce(plaintext, associatedData, out message, out error);
    }

    /// <summary>Ends a session (e.g. when its client disconnects). Returns false if there was none.</summary>
    public bool CloseSession(ReadOnlySpan<byte> channelId) => _sessions.Remove(channelId);

    /// <summary>Ends every session. The static key is borrowed and is not disposed.</summary>
    public void Dispose() => _sessions.Dispose();

    /// <inheritdoc />
    public override string ToString() =>
        $"Attested responder '{ResponderId}' ({_provider.Identity}{(IsSimulation ? ", SIMULATION" : string.Empty)}; {SessionCount}/{MaxSessions} sessions)";

    private bool TryFinish(NoiseHandshake handshake, VerifiedEvidence? peer, [NotNullWhen(true)] out byte[]? response, out byte[] channelId, [NotNullWhen(false)] out AttestError? error)
    {
        channelId = [];
        if (!handshake.TryWriteMessage(Evidence, out response, out error))
        {
            return false;
        }

        var channel = new AttestedChannel(handshake.Split(), isInitiator: false, peer);
        channelId = channel.ChannelId.ToArray();
        _sessions.Add(channel);
        error = null;
        return true;
    }

    private bool TryFind(ReadOnlySpan<byte> channelId, [NotNullWhen(true)] out AttestedChannel? channel, [NotNullWhen(false)] out AttestError? error)
    {
        if (channelId.Length != AttestedChannel.ChannelIdSizeInBytes)
        {
            channel = null;
            error = new AttestError(AttestErrorCode.MalformedMessage, $"The channel id is {channelId.Length} bytes; it must be {AttestedChannel.ChannelIdSizeInBytes}.");
            return false;
        }

        if (!_sessions.TryGet(channelId, out channel))
        {
            error = new AttestError(AttestErrorCode.UnknownChannel, "No session has this channel id (never opened, evicted, or closed); run Auth again.");
            return false;
        }

        error = null;
        return true;
    }
}
