using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Api.Attest;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;
using Google.Protobuf;

namespace Fog.Attestation.Channels;

/// <summary>
/// One side of an established attested channel: a Noise transport (one AES-GCM key per direction)
/// named by its channel id, the 64-byte final handshake hash.
/// </summary>
/// <remarks>
/// <para>
/// Two framings, one per channel: <c>attest.Message</c> with implicit nonces (each direction's
/// counter advances by one per message, so a replayed, reordered or dropped message fails to
/// decrypt), or <c>attest.NonceMessage</c> with the sender's counter sent explicitly (router↔store),
/// where the receiver accepts each nonce at most once within a 64-message window. The first
/// successful receive fixes the framing; the other is then refused with
/// <see cref="AttestErrorCode.WrongChannelMode"/>.
/// </para>
/// <para>
/// A failed decryption changes nothing: the channel keeps working for the genuine next message.
/// Thread-safe; operations on one channel are serialized.
/// </para>
/// </remarks>
public sealed class AttestedChannel : IDisposable
{
    /// <summary>Size of a channel id.</summary>
    public const int ChannelIdSizeInBytes = SymmetricState.HashLength;

    private enum ReceiveMode
    {
        Unset,
        Implicit,
        Explicit,
    }

    private readonly Lock _lock = new();
    private readonly byte[] _channelId;
    private readonly ByteString _channelIdBytes;
    private readonly NoiseCipherState _send;
    private readonly NoiseCipherState _receive;
    private ReplayWindow _window;
    private ReceiveMode _mode;
    private bool _disposed;

    internal AttestedChannel(NoiseTransport transport, bool isInitiator, VerifiedEvidence? remoteEvidence)
    {
        _channelId = transport.HandshakeHash;
        _channelIdBytes = ByteString.CopyFrom(_channelId);
        (_send, _receive) = isInitiator
            ? (transport.InitiatorToResponder, transport.ResponderToInitiator)
            : (transport.ResponderToInitiator, transport.InitiatorToResponder);
        IsInitiator = isInitiator;
        RemoteEvidence = remoteEvidence;
    }

    /// <summary>The channel id (the final handshake hash), sent with every message.</summary>
    public ReadOnlySpan<byte> ChannelId => _channelId;

    /// <summary>True on the side that started the handshake.</summary>
    public bool IsInitiator { get; }

    /// <summary>The peer's verified evidence (a client's view of the enclave; null on the enclave side of NX, whose clients are anonymous).</summary>
    public VerifiedEvidence? RemoteEvidence { get; }

    /// <summary>True once disposed (closed, or evicted from a session table).</summary>
    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _disposed;
            }
        }
    }

    /// <summary>Encrypts <paramref name="plaintext"/> with the next implicit nonce.</summary>
    /// <exception cref="AttestException">The channel is closed or its nonces are exhausted.</exception>
    public Message Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData = default) =>
        TryEncrypt(plaintext, associatedData, out var message, out var error) ? message : throw new AttestException(error);

    /// <summary>Encrypts with the next implicit nonce.</summary>
    public bool TryEncrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, [NotNullWhen(true)] out Message? message, [NotNullWhen(false)] out AttestError? error)
    {
        message = null;
        if (!TrySeal(plaintext, associatedData, out var data, out _, out error))
        {
            return false;
        }

        message = new Message { Aad = ByteString.CopyFrom(associatedData), ChannelId = _channelIdBytes, Data = UnsafeByteOperations.UnsafeWrap(data) };
        return true;
    }

    /// <summary>Encrypts and carries the nonce explicitly (router↔store framing).</summary>
    public bool TryEncryptWithNonce(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, [NotNullWhen(true)] out NonceMessage? message, [NotNullWhen(false)] out AttestError? error)
    {
        message = null;
        if (!TrySeal(plaintext, associatedData, out var data, out var nonce, out error))
        {
            return false;
        }

        message = new NonceMessage { Aad = ByteString.CopyFrom(associatedData), ChannelId = _channelIdBytes, Data = UnsafeByteOperations.UnsafeWrap(data), Nonce = nonce };
        return true;
    }

    /// <summary>Decrypts a message that must carry the next implicit nonce of the peer's direction.</summary>
    /// <returns>False with a typed error for anything a peer or attacker could send wrong; the channel stays usable.</returns>
    public bool TryDecrypt(Message message, [NotNullWhen(true)] out byte[]? plaintext, [NotNullWhen(false)] out AttestError? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        plaintext = null;
        if (!CheckFraming(message.ChannelId.Span, message.Data.Length, out error))
        {
            return false;
        }

        lock (_lock)
        {
            if (!CheckOpen(ReceiveMode.Implicit, out error))
            {
                return false;
            }

            if (!_receive.TryDecryptWithAd(message.Aad.Span, message.Data.Span, out plaintext))
            {
                error = new AttestError(
                    AttestErrorCode.DecryptionFailed,
                    "The message did not authenticate under the channel's next nonce: it was replayed, reordered, truncated, forged, or sent with other associated data.");
                return false;
            }

            _mode = ReceiveMode.Implicit;
            return true;
        }
    }

    /// <summary>Decrypts an explicit-nonce message; each nonce is accepted once, within a 64-message window.</summary>
    public bool TryDecrypt(NonceMessage message, [NotNullWhen(true)] out byte[]? plaintext, [NotNullWhen(false)] out AttestError? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        plaintext = null;
        if (!CheckFraming(message.ChannelId.Span, message.Data.Length, out error))
        {
            return false;
        }

        if (message.Nonce == ulong.MaxValue)
        {
            error = new AttestError(AttestErrorCode.MalformedMessage, "The nonce 2^64-1 is reserved.");
            return false;
        }

        lock (_lock)
        {
            if (!CheckOpen(ReceiveMode.Explicit, out error))
            {
                return false;
            }

            if (!_window.IsFresh(message.Nonce))
            {
                error = new AttestError(AttestErrorCode.ReplayedNonce, $"Nonce {message.Nonce} was already used or is more than {ReplayWindow.Size} messages old.");
                return false;
            }

            if (!_receive.TryDecryptAt(message.Nonce, message.Aad.Span, message.Data.Span, out plaintext))
            {
                error = new AttestError(AttestErrorCode.DecryptionFailed, "The message did not authenticate under its nonce: it was truncated, forged, or sent with other associated data.");
                return false;
            }

            _window.Mark(message.Nonce);
            _mode = ReceiveMode.Explicit;
            return true;
        }
    }

    /// <summary>Closes the channel and wipes its keys. Later operations fail with <see cref="AttestErrorCode.UnknownChannel"/>.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _send.Dispose();
            _receive.Dispose();
        }
    }

    /// <summary>Names the channel by a prefix of its (public) id.</summary>
    public override string ToString() => $"Attested channel {Convert.ToHexStringLower(_channelId.AsSpan(0, 8))}… ({(IsInitiator ? "initiator" : "responder")}{(IsClosed ? ", closed" : string.Empty)})";

    private bool TrySeal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, [NotNullWhen(true)] out byte[]? data, out ulong nonce, [NotNullWhen(false)] out AttestError? error)
    {
        data = null;
        nonce = 0;
        lock (_lock)
        {
            if (_disposed)
            {
                error = Closed();
                return false;
            }

            if (_send.Nonce == ulong.MaxValue)
            {
                error = new AttestError(AttestErrorCode.NonceExhausted, "The channel has used all its nonces; authenticate again.");
                return false;
            }

            data = new byte[_send.CiphertextLength(plaintext.Length)];
            nonce = _send.EncryptWithAd(associatedData, plaintext, data);
            error = null;
            return true;
        }
    }

    private bool CheckFraming(ReadOnlySpan<byte> channelId, int dataLength, [NotNullWhen(false)] out AttestError? error)
    {
        if (channelId.Length != ChannelIdSizeInBytes)
        {
            error = new AttestError(AttestErrorCode.MalformedMessage, $"The channel id is {channelId.Length} bytes; it must be {ChannelIdSizeInBytes}.");
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(channelId, _channelId))
        {
            error = new AttestError(AttestErrorCode.UnknownChannel, "The message names another channel.");
            return false;
        }

        if (dataLength < NoiseCipherState.TagSizeInBytes)
        {
            error = new AttestError(AttestErrorCode.MalformedMessage, $"The ciphertext is {dataLength} bytes, shorter than the {NoiseCipherState.TagSizeInBytes}-byte tag.");
            return false;
        }

        error = null;
        return true;
    }

    private bool CheckOpen(ReceiveMode wanted, [NotNullWhen(false)] out AttestError? error)
    {
        if (_disposed)
        {
            error = Closed();
            return false;
        }

        if (_mode != ReceiveMode.Unset && _mode != wanted)
        {
            error = new AttestError(AttestErrorCode.WrongChannelMode, $"This channel receives {(_mode == ReceiveMode.Implicit ? "attest.Message (implicit nonces)" : "attest.NonceMessage (explicit nonces)")} only.");
            return false;
        }

        error = null;
        return true;
    }

    private static AttestError Closed() => new(AttestErrorCode.UnknownChannel, "The channel is closed (evicted or ended); authenticate again.");
}
