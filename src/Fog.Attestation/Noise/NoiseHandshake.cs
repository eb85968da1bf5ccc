using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace Fog.Attestation.Noise;

/// <summary>
/// A Noise HandshakeState (spec rev. 34 §5.3) for the NN, NX and IX patterns with 25519, AESGCM and
/// SHA512. Messages alternate starting with the initiator; after the last one, <see cref="Split"/>
/// yields the transport cipher states and the handshake hash (the channel binding).
/// </summary>
/// <remarks>
/// Reading is attacker-facing: <see cref="TryReadMessage"/> never throws for bad input and leaves the
/// handshake failed (unusable) after any rejection. Writing out of turn is caller misuse and throws.
/// The handshake owns its ephemeral key; a static key passed in is borrowed, not disposed.
/// </remarks>
public sealed class NoiseHandshake : IDisposable
{
    private enum Token
    {
        E,
        S,
        EE,
        ES,
        SE,
    }

    private static readonly Token[][] NNMessages = [[Token.E], [Token.E, Token.EE]];
    private static readonly Token[][] NXMessages = [[Token.E], [Token.E, Token.EE, Token.S, Token.ES]];
    private static readonly Token[][] IXMessages = [[Token.E, Token.S], [Token.E, Token.EE, Token.SE, Token.S, Token.ES]];

    private readonly Token[][] _messages;
    private readonly SymmetricState _symmetric;
    private readonly NoiseKeyPair? _s;
    private NoiseKeyPair? _e;
    private PublicKey? _re;
    private PublicKey? _rs;
    private byte[]? _remoteStatic;
    private int _next;
    private bool _failed;
    private bool _split;

    private NoiseHandshake(NoisePattern pattern, bool isInitiator, ReadOnlySpan<byte> prologue, NoiseKeyPair? localStatic, NoiseKeyPair? localEphemeral)
    {
        _messages = pattern switch
        {
            NoisePattern.NN => NNMessages,
            NoisePattern.NX => NXMessages,
            NoisePattern.IX => IXMessages,
            _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "Unknown Noise pattern."),
        };
        var needsStatic = pattern == NoisePattern.IX || (pattern == NoisePattern.NX && !isInitiator);
        if (needsStatic && localStatic is null)
        {
            throw new ArgumentException($"The {(isInitiator ? "initiator" : "responder")} of {pattern} needs a static key.", nameof(localStatic));
        }

        Pattern = pattern;
        IsInitiator = isInitiator;
        _s = needsStatic ? localStatic : null;
        _e = localEphemeral;
        _symmetric = new SymmetricState(NoiseProtocolNames.Of(pattern));
        _symmetric.MixHash(prologue);
    }

    /// <summary>The handshake pattern.</summary>
    public NoisePattern Pattern { get; }

    /// <summary>True for the side that sends the first message.</summary>
    public bool IsInitiator { get; }

    /// <summary>True when it is this side's turn to write.</summary>
    public bool IsMyTurn => !IsComplete && !_failed && (_next % 2 == 0) == IsInitiator;

    /// <summary>True once every handshake message has been written or read.</summary>
    public bool IsComplete => _next == _messages.Length;

    /// <summary>The remote party's static public key, once received (NX initiator, IX both sides).</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => _remoteStatic;

    /// <summary>The current handshake hash <c>h</c>; after the last message it is the channel binding.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _symmetric.HandshakeHash;

    /// <summary>Starts a handshake.</summary>
    /// <param name="pattern">NN, NX or IX.</param>
    /// <param name="isInitiator">True for the side that writes first.</param>
    /// <param name="prologue">Data both sides must agree on (Fog: the responder id as UTF-8).</param>
    /// <param name="localStatic">This side's static key, when the pattern sends one (borrowed).</param>
    public static NoiseHandshake Create(NoisePattern pattern, bool isInitiator, ReadOnlySpan<byte> prologue, NoiseKeyPair? localStatic = null) =>
        new(pattern, isInitiator, prologue, localStatic, null);

    /// <summary>Starts a handshake with a fixed ephemeral key (test vectors only; the handshake takes ownership).</summary>
    internal static NoiseHandshake CreateWithEphemeral(NoisePattern pattern, bool isInitiator, ReadOnlySpan<byte> prologue, NoiseKeyPair? localStatic, NoiseKeyPair ephemeral) =>
        new(pattern, isInitiator, prologue, localStatic, ephemeral);

    /// <summary>Writes the next handshake message carrying <paramref name="payload"/>.</summary>
    /// <exception cref="InvalidOperationException">It is not this side's turn, or a remote key is a low-order point.</exception>
    public byte[] WriteMessage(ReadOnlySpan<byte> payload) =>
        TryWriteMessage(payload, out var message, out var error) ? message : throw new InvalidOperationException(error.Message);

    /// <summary>
    /// Writes the next handshake message. Fails with <see cref="AttestErrorCode.InvalidPublicKey"/> when
    /// a Diffie-Hellman with a key the remote party sent gives the all-zero result (a low-order point);
    /// the handshake is then unusable.
    /// </summary>
    /// <exception cref="InvalidOperationException">It is not this side's turn, or the handshake already failed.</exception>
    public bool TryWriteMessage(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out byte[]? message, [NotNullWhen(false)] out AttestError? error)
    {
        if (!IsMyTurn)
        {
            throw new InvalidOperationException(_failed ? "The handshake has failed." : "It is not this side's turn to write a handshake message.");
        }

        message = null;
        using var buffer = new MemoryStream();
        foreach (var token in _messages[_next])
        {
            switch (token)
            {
                case Token.E:
                    _e ??= NoiseKeyPair.Generate();
                    buffer.Write(_e.PublicKey);
                    _symmetric.MixHash(_e.PublicKey);
                    break;
                case Token.S:
                    buffer.Write(_symmetric.EncryptAndHash(_s!.PublicKey));
                    break;
                default:
                    if (!TryMixDh(token))
                    {
                        return Fail(AttestErrorCode.InvalidPublicKey, "A public key the remote party sent is a low-order point.", out error);
                    }

                    break;
            }
        }

        buffer.Write(_symmetric.EncryptAndHash(payload));
        _next++;
        message = buffer.ToArray();
        error = null;
        return true;
    }

    /// <summary>Reads the next handshake message and returns its payload.</summary>
    /// <returns>False, with a typed error, if the message is malformed or does not authenticate; the handshake is then unusable.</returns>
    public bool TryReadMessage(ReadOnlySpan<byte> message, [NotNullWhen(true)] out byte[]? payload, [NotNullWhen(false)] out AttestError? error)
    {
        payload = null;
        if (_failed || IsComplete || IsMyTurn)
        {
            error = new AttestError(AttestErrorCode.MalformedHandshakeMessage, "A handshake message arrived when none was expected.");
            _failed = true;
            return false;
        }

        var rest = message;
        foreach (var token in _messages[_next])
        {
            switch (token)
            {
                case Token.E:
                    if (rest.Length < NoiseKeyPair.PublicKeySizeInBytes)
                    {
                        return Fail(AttestErrorCode.MalformedHandshakeMessage, "The handshake message is too short for an ephemeral key.", out error);
                    }

                    _re = PublicKey.Import(KeyAgreementAlgorithm.X25519, rest[..NoiseKeyPair.PublicKeySizeInBytes], KeyBlobFormat.RawPublicKey);
                    _symmetric.MixHash(rest[..NoiseKeyPair.PublicKeySizeInBytes]);
                    rest = rest[NoiseKeyPair.PublicKeySizeInBytes..];
                    break;
                case Token.S:
                    var length = NoiseKeyPair.PublicKeySizeInBytes + (_symmetric.HasKey ? NoiseCipherState.TagSizeInBytes : 0);
                    if (rest.Length < length)
                    {
                        return Fail(AttestErrorCode.MalformedHandshakeMessage, "The handshake message is too short for a static key.", out error);
                    }

                    if (!_symmetric.TryDecryptAndHash(rest[..length], out var remoteStatic))
                    {
                        return Fail(AttestErrorCode.HandshakeDecryptionFailed, "The remote static key did not authenticate (tampered message or different responder id).", out error);
                    }

                    _remoteStatic = remoteStatic;
                    _rs = PublicKey.Import(KeyAgreementAlgorithm.X25519, remoteStatic, KeyBlobFormat.RawPublicKey);
                    rest = rest[length..];
                    break;
                default:
                    if (!TryMixDh(token))
                    {
                        return Fail(AttestErrorCode.InvalidPublicKey, "A public key in the handshake is a low-order point.", out error);
                    }

                    break;
            }
        }

        if (_symmetric.HasKey && rest.Length < NoiseCipherState.TagSizeInBytes)
        {
            return Fail(AttestErrorCode.MalformedHandshakeMessage, "The handshake message is too short for its payload tag.", out error);
        }

        if (!_symmetric.TryDecryptAndHash(rest, out payload))
        {
            return Fail(AttestErrorCode.HandshakeDecryptionFailed, "The handshake payload did not authenticate (tampered message or different responder id).", out error);
        }

        _next++;
        error = null;
        return true;
    }

    /// <summary>
    /// Ends the handshake: returns the transport cipher states and the handshake hash. Callable once,
    /// after the last message. The caller owns (and must dispose) the returned cipher states.
    /// </summary>
    public NoiseTransport Split()
    {
        if (!IsComplete || _split)
        {
            throw new InvalidOperationException(_split ? "The handshake was already split." : "The handshake is not complete.");
        }

        _split = true;
        var hash = _symmetric.HandshakeHash.ToArray();
        var (i2r, r2i) = _symmetric.Split();
        return new NoiseTransport(i2r, r2i, hash);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _symmetric.Dispose();
        _e?.Dispose();
        _e = null;
    }

    /// <inheritdoc />
    public override string ToString() => $"Noise {Pattern} handshake ({(IsInitiator ? "initiator" : "responder")}, message {_next} of {_messages.Length})";

    private bool Fail(AttestErrorCode code, string message, out AttestError error)
    {
        _failed = true;
        error = new AttestError(code, message);
        return false;
    }

    private bool TryMixDh(Token token)
    {
        // "es" is DH(initiator e, responder s); "se" is DH(initiator s, responder e).
        var (local, remote) = (token, IsInitiator) switch
        {
            (Token.EE, _) => (_e, _re),
            (Token.ES, true) => (_e, _rs),
            (Token.ES, false) => (_s, _re),
            (Token.SE, true) => (_s, _re),
            (Token.SE, false) => (_e, _rs),
            _ => throw new InvalidOperationException("Not a DH token."),
        };
        using var shared = KeyAgreementAlgorithm.X25519.Agree(local!.Key, remote!);
        if (shared is null)
        {
            return false;
        }

        _symmetric.MixKey(shared);
        return true;
    }
}

/// <summary>The result of a completed handshake: one cipher state per direction and the channel binding.</summary>
/// <param name="InitiatorToResponder">Encrypts what the initiator sends.</param>
/// <param name="ResponderToInitiator">Encrypts what the responder sends.</param>
/// <param name="HandshakeHash">The final 64-byte handshake hash (the channel id).</param>
public sealed record NoiseTransport(NoiseCipherState InitiatorToResponder, NoiseCipherState ResponderToInitiator, byte[] HandshakeHash) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        InitiatorToResponder.Dispose();
        ResponderToInitiator.Dispose();
    }
}
