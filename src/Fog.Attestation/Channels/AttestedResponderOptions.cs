namespace Fog.Attestation.Channels;

/// <summary>Settings of an <see cref="AttestedResponder"/> (the enclave side of attested channels).</summary>
public sealed class AttestedResponderOptions
{
    /// <summary>The reference's MAX_CLIENT_SESSIONS.</summary>
    public const int DefaultMaxSessions = 10_000;

    /// <summary>
    /// The responder id clients use as the Noise prologue: the host:port in the service URI, or its
    /// <c>responder-id</c> parameter. Required; a mismatch makes every handshake fail.
    /// </summary>
    public string ResponderId { get; set; } = string.Empty;

    /// <summary>
    /// The most sessions kept at once; beyond it the least recently used is evicted and its client must
    /// authenticate again. Default: 10,000.
    /// </summary>
    public int MaxSessions { get; set; } = DefaultMaxSessions;

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ResponderId))
        {
            throw new ArgumentException($"{nameof(ResponderId)} is required (e.g. \"view.example.com:443\").", nameof(ResponderId));
        }

        if (MaxSessions < 1)
        {
            throw new ArgumentException($"{nameof(MaxSessions)} must be at least 1 (got {MaxSessions}).", nameof(MaxSessions));
        }
    }
}
