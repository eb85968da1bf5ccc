namespace Fog.Attestation;

/// <summary>Why a handshake, an evidence check or a transport message was rejected.</summary>
/// <remarks>
/// Every value is something a remote party can cause; the APIs that report these codes return them
/// (<c>Try…</c> methods) rather than throwing.
/// </remarks>
public enum AttestErrorCode
{
    /// <summary>A handshake message has the wrong length or shape for its position in the pattern.</summary>
    MalformedHandshakeMessage = 1,

    /// <summary>
    /// A handshake message did not authenticate: it was tampered with, or the two sides used
    /// different prologues (responder ids).
    /// </summary>
    HandshakeDecryptionFailed = 2,

    /// <summary>A public key in the handshake gives an all-zero Diffie-Hellman result (a low-order point).</summary>
    InvalidPublicKey = 3,

    /// <summary>The evidence does not parse.</summary>
    MalformedEvidence = 20,

    /// <summary>The evidence is of a kind this verifier does not check (for example hardware DCAP or EPID evidence).</summary>
    UnsupportedEvidence = 21,

    /// <summary>The evidence is simulated and the policy trusts no simulation root.</summary>
    SimulationNotTrusted = 22,

    /// <summary>The quoting key is endorsed by a simulation root the policy does not trust.</summary>
    UntrustedRoot = 23,

    /// <summary>The root's signature over the quoting key does not verify.</summary>
    InvalidQuotingKeyEndorsement = 24,

    /// <summary>The quoting key's signature over the quote does not verify.</summary>
    InvalidQuoteSignature = 25,

    /// <summary>The quote does not label itself as simulation evidence.</summary>
    NotSimulationQuote = 26,

    /// <summary>The enclave measurement is not one the policy accepts.</summary>
    MeasurementNotAccepted = 27,

    /// <summary>The enclave signer id is not one the policy accepts.</summary>
    SignerNotAccepted = 28,

    /// <summary>The product id differs from the one the policy expects.</summary>
    ProductIdMismatch = 29,

    /// <summary>The security version is below the policy's minimum.</summary>
    SecurityVersionTooLow = 30,

    /// <summary>The enclave runs in debug mode and the policy does not allow debug enclaves.</summary>
    DebugNotAllowed = 31,

    /// <summary>The report-data contents do not hash to the value the quote signs.</summary>
    ReportDataMismatch = 32,

    /// <summary>
    /// The evidence is for a different Noise static key than the one the handshake authenticated:
    /// the handshake was relayed or the evidence was copied from another enclave.
    /// </summary>
    RemoteKeyMismatch = 33,

    /// <summary>No session exists for the channel id (never created, evicted, or closed): authenticate again.</summary>
    UnknownChannel = 40,

    /// <summary>A transport message is malformed (wrong channel id length, ciphertext shorter than the tag, reserved nonce).</summary>
    MalformedMessage = 41,

    /// <summary>
    /// A transport message did not authenticate under the nonce it must use: it was replayed,
    /// reordered, truncated, forged, or sent with different associated data.
    /// </summary>
    DecryptionFailed = 42,

    /// <summary>An explicit nonce was already used or is too old for the replay window.</summary>
    ReplayedNonce = 43,

    /// <summary>The channel was used with implicit nonces and now receives explicit ones, or the reverse.</summary>
    WrongChannelMode = 44,

    /// <summary>The channel's nonce space is used up; authenticate again.</summary>
    NonceExhausted = 45,
}

/// <summary>A rejection with its code and a message a person can act on.</summary>
/// <param name="Code">What went wrong.</param>
/// <param name="Message">A readable explanation; it never contains key material or plaintext.</param>
public sealed record AttestError(AttestErrorCode Code, string Message)
{
    /// <summary>True when the error comes from checking attestation evidence against a policy.</summary>
    public bool IsAttestationFailure => Code is >= AttestErrorCode.MalformedEvidence and < AttestErrorCode.UnknownChannel;

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>An <see cref="AttestError"/> raised as an exception, for callers that prefer exceptions.</summary>
public sealed class AttestException : Exception
{
    /// <summary>Creates the exception for an error.</summary>
    public AttestException(AttestError error)
        : base(error?.ToString())
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>The typed error.</summary>
    public AttestError Error { get; }
}
