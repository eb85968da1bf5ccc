using System.Diagnostics.CodeAnalysis;
using Fog.Attestation;
using Fog.Attestation.Evidence;

namespace Fog.Enclaves.Common;

/// <summary>
/// What the view and key-image enclaves share at the ECALL surface: the attested channel clients open before they
/// query, and the oblivious map behind it. Hosts that only start, attest and report on an enclave need nothing more.
/// </summary>
public interface IAttestedEnclave : IDisposable
{
    /// <summary>The identity the enclave's evidence states.</summary>
    EnclaveIdentity Identity { get; }

    /// <summary>True when the evidence is simulated (hosts warn at start-up).</summary>
    bool IsSimulation { get; }

    /// <summary>The responder id (Noise prologue) clients use for this enclave.</summary>
    string ResponderId { get; }

    /// <summary>Slots in the oblivious map (public); about 75 % can be filled.</summary>
    ulong Capacity { get; }

    /// <summary>Attested sessions currently held.</summary>
    int SessionCount { get; }

    /// <summary>Answers a client's NX handshake message 1 (the API's <c>Auth</c> call) and opens a session.</summary>
    bool TryAccept(ReadOnlySpan<byte> request, [NotNullWhen(true)] out byte[]? response, [NotNullWhen(false)] out AttestError? error);
}
