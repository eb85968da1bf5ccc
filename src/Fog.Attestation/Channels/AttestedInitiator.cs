using System.Diagnostics.CodeAnalysis;
using System.Text;
using Fog.Api.Attest;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;
using Google.Protobuf;

namespace Fog.Attestation.Channels;

/// <summary>
/// The initiating side of an attested handshake: a client reaching an enclave (Noise NX), or an
/// enclave reaching a peer enclave (Noise IX, sending its own evidence in message 1).
/// </summary>
/// <example>
/// <code>
/// using var initiator = AttestedInitiator.StartClient("view.example.com:443");
/// var reply = await client.AuthAsync(initiator.CreateAuthRequest());
/// if (!initiator.TryComplete(reply.Data.Span, verifier, out var channel, out var error)) { /* error.Code, error.Message */ }
/// var response = await client.QueryAsync(channel.Encrypt(request, aad));
/// channel.TryDecrypt(response, out var plaintext, out error);
/// </code>
/// </example>
public sealed class AttestedInitiator : IDisposable
{
    private readonly NoiseHandshake _handshake;
    private readonly byte[] _payload;
    private bool _done;

    private AttestedInitiator(NoiseHandshake handshake, byte[] payload, string responderId)
    {
        _handshake = handshake;
        _payload = payload;
        ResponderId = responderId;
    }

    /// <summary>The responder id used as the Noise prologue.</summary>
    public string ResponderId { get; }

    /// <summary>The pattern: NX for clients, IX for peers.</summary>
    public NoisePattern Pattern => _handshake.Pattern;

    /// <summary>Starts a client handshake (NX) with the enclave known as <paramref name="responderId"/> (e.g. "host:port").</summary>
    public static AttestedInitiator StartClient(string responderId)
    {
        ArgumentException.ThrowIfNullOrEmpty(responderId);
        return new AttestedInitiator(NoiseHandshake.Create(NoisePattern.NX, true, Encoding.UTF8.GetBytes(responderId)), [], responderId);
    }

    /// <summary>
    /// Starts a peer handshake (IX): this enclave sends its static key and <paramref name="ownEvidence"/>
    /// (from its <see cref="IAttestationProvider"/>, bound to <paramref name="staticKey"/>). The key is borrowed.
    /// </summary>
    public static AttestedInitiator StartPeer(string responderId, NoiseKeyPair staticKey, ReadOnlySpan<byte> ownEvidence)
    {
        ArgumentException.ThrowIfNullOrEmpty(responderId);
        ArgumentNullException.ThrowIfNull(staticKey);
        return new AttestedInitiator(NoiseHandshake.Create(NoisePattern.IX, true, Encoding.UTF8.GetBytes(responderId), staticKey), ownEvidence.ToArray(), responderId);
    }

    /// <summary>Handshake message 1, raw (what <c>AuthMessage.data</c> carries).</summary>
    public byte[] CreateRequest() => _handshake.WriteMessage(_payload);

    /// <summary>Handshake message 1 framed as an <c>attest.AuthMessage</c>.</summary>
    public AuthMessage CreateAuthRequest() => new() { Data = UnsafeByteOperations.UnsafeWrap(CreateRequest()) };

    /// <summary>
    /// Reads the responder's message 2, verifies the evidence it carries against <paramref name="verifier"/>
    /// and the Noise static key it authenticated, and returns the channel (owned by the caller).
    /// </summary>
    /// <returns>False with a typed error on any handshake or attestation failure; never throws for bad input.</returns>
    public bool TryComplete(ReadOnlySpan<byte> response, IEvidenceVerifier verifier, [NotNullWhen(true)] out AttestedChannel? channel, [NotNullWhen(false)] out AttestError? error)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        channel = null;
        if (_done)
        {
            throw new InvalidOperationException("This handshake has already been completed or failed; start a new one.");
        }

        _done = true;
        if (!_handshake.TryReadMessage(response, out var evidence, out error))
        {
            return false;
        }

        if (!verifier.TryVerify(evidence, _handshake.RemoteStaticPublicKey, out var verified, out error))
        {
            return false;
        }

        channel = new AttestedChannel(_handshake.Split(), isInitiator: true, verified);
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _handshake.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"Attested {Pattern} initiator for '{ResponderId}'";
}
