using Fog.Api.Attest;
using Fog.Attestation;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Grpc.Core;

namespace Fog.Client.Connections;

/// <summary>
/// An attested channel to one enclave that re-attests transparently: the handshake runs on first use, and again when
/// the server says the channel is gone (<see cref="StatusCode.PermissionDenied"/> — e.g. the server restarted or evicted
/// the session), after which the call is retried once. Calls on one connection are serialised (the channel's nonces
/// are a sequence).
/// </summary>
public sealed class AttestedConnection : IDisposable
{
    private readonly string _responderId;
    private readonly IEvidenceVerifier _verifier;
    private readonly Func<AuthMessage, CancellationToken, Task<AuthMessage>> _auth;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private AttestedChannel? _channel;

    /// <summary>A connection whose handshake goes through <paramref name="auth"/>.</summary>
    /// <param name="responderId">The enclave's responder id (the Noise prologue).</param>
    /// <param name="verifier">Checks the enclave's evidence against the client's policy.</param>
    /// <param name="auth">Sends a handshake message to the service's Auth call.</param>
    public AttestedConnection(string responderId, IEvidenceVerifier verifier, Func<AuthMessage, CancellationToken, Task<AuthMessage>> auth)
    {
        _responderId = responderId ?? throw new ArgumentNullException(nameof(responderId));
        _verifier = verifier ?? throw new ArgumentNullException(nameof(verifier));
        _auth = auth ?? throw new ArgumentNullException(nameof(auth));
    }

    /// <summary>How many handshakes this connection has made.</summary>
    public int Handshakes { get; private set; }

    /// <summary>The evidence the enclave presented at the last handshake, or null before one.</summary>
    public VerifiedEvidence? RemoteEvidence => _channel?.RemoteEvidence;

    /// <summary>
    /// Runs <paramref name="call"/> on the attested channel, attesting first if needed.
    /// </summary>
    /// <exception cref="AttestException">The enclave's evidence does not satisfy the policy, or the handshake failed.</exception>
    /// <exception cref="RpcException">The service failed in another way.</exception>
    public async Task<T> CallAsync<T>(Func<AttestedChannel, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var channel = _channel ??= await HandshakeAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await call(channel, cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied && attempt == 0)
                {
                    // The server no longer knows this channel: attest again and retry once.
                    Reset();
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Forgets the channel; the next call attests again.</summary>
    public void Reset()
    {
        _channel?.Dispose();
        _channel = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Reset();
        _lock.Dispose();
    }

    private async Task<AttestedChannel> HandshakeAsync(CancellationToken cancellationToken)
    {
        using var initiator = AttestedInitiator.StartClient(_responderId);
        var reply = await _auth(initiator.CreateAuthRequest(), cancellationToken).ConfigureAwait(false);
        if (!initiator.TryComplete(reply.Data.Span, _verifier, out var channel, out var error))
        {
            throw new AttestException(error);
        }

        Handshakes++;
        return channel;
    }
}
