using System.Diagnostics.CodeAnalysis;
using Fog.Api.Attest;
using Fog.Attestation;
using Fog.Attestation.Evidence;
using Fog.Attestation.Sealing;
using Fog.Crypto.Kex;
using Fog.Model.Transactions;

namespace Fog.Enclaves.Ingest;

/// <summary>
/// The fog ingest enclave (the ECALL surface): it holds the ingress key that decrypts fog hints and the egress
/// key that seeds each recipient's KexRng, tags every TxOut with its recipient's next search key, and boxes each
/// record to the recipient. The untrusted host passes TxOuts in and takes encrypted records, public keys, sealed
/// blobs, evidence and attested-channel messages out; no private key, recipient, counter or plaintext record
/// ever crosses this interface.
/// </summary>
/// <remarks>
/// <para>Create one with <see cref="IngestEnclaveFactory.Create"/>. Thread-safe: operations are serialised.</para>
/// <para>
/// Security: <see cref="IngestTxs"/> emits exactly one record per TxOut, in TxOut order, whether the TxOut is
/// for a fog user of this enclave or not (chaff); real and chaff records have the same length and the same
/// oblivious-map access pattern. See <see cref="IngestTxs"/> for what is not hidden.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var enclave = IngestEnclaveFactory.Create(provider, "ingest-a:8090", new IngestEnclaveOptions { SealingSecret = secret });
/// var result = enclave.IngestTxs(new IngestChunk(blockIndex, firstGlobalIndex, timestamp, block.Contents.Outputs));
/// if (result.NewEgressPublicKey is { } rotated) { /* record a new ingest invocation before publishing */ }
/// var sealedKey = enclave.SealIngressKey();      // into the state file
/// var report = enclave.GetReport();              // evidence whose custom identity is the ingress public key
/// </code>
/// </example>
public interface IIngestEnclave : IDisposable
{
    /// <summary>The identity the enclave's evidence states.</summary>
    EnclaveIdentity Identity { get; }

    /// <summary>True when the evidence is simulated (hosts warn at start-up).</summary>
    bool IsSimulation { get; }

    /// <summary>The responder id (Noise prologue) peers use for this enclave.</summary>
    string ResponderId { get; }

    /// <summary>The current ingress public key (32 bytes): what senders encrypt fog hints to.</summary>
    byte[] IngressPublicKey { get; }

    /// <summary>The current egress public key and KexRng version: what clients rebuild their RNGs from.</summary>
    KexRngPubkey EgressPublicKey { get; }

    /// <summary>Desired capacity of the RNG counter map (public).</summary>
    ulong UserCapacity { get; }

    /// <summary>
    /// The attestation evidence (an encoded <c>attest.FogEvidenceEnvelope</c>) binding the ingress public key as
    /// custom identity, together with that key, read atomically so the two always match.
    /// </summary>
    IngestReport GetReport();

    /// <summary>
    /// Processes one chunk of a block's TxOuts (ingest.md §1.4) and returns one encrypted record per TxOut in TxOut
    /// order (TxOuts whose hint authenticates around an invalid point yield none). When the counter map overflows,
    /// the egress key is replaced, the map cleared, and the whole chunk processed again under the new key, at most
    /// <see cref="IngestEnclaveOptions.MaxChunkRetries"/> times; the result then names the new egress key.
    /// </summary>
    /// <remarks>
    /// Security: hint decryption, the choice between the recipient's view key and a random chaff key, and the
    /// counter-map access are constant time and oblivious in whether the TxOut is for a user of this enclave and
    /// in which user; records have equal lengths. Not hidden (as in the reference): whether the map overflowed,
    /// and the malformed-hint case (a valid box holding an invalid point), which only a misbehaving sender causes.
    /// </remarks>
    IngestChunkResult IngestTxs(IngestChunk chunk);

    /// <summary>The ingress private key sealed to this enclave's measurement on this machine (for the state file).</summary>
    byte[] SealIngressKey();

    /// <summary>
    /// Replaces the ingress key with a sealed one (a restart). On failure nothing changes.
    /// </summary>
    /// <returns>False with the reason when the blob cannot be unsealed or does not hold an ingress key.</returns>
    bool TryLoadSealedIngressKey(ReadOnlySpan<byte> sealedKey, out UnsealError error);

    /// <summary>New ingress key, new egress key, cleared counter map.</summary>
    void NewKeys();

    /// <summary>New egress key and cleared counter map (a new RNG epoch).</summary>
    void NewEgressKey();

    /// <summary>Answers a peer enclave's IX handshake (the peer port's <c>attest.AttestedApi/Auth</c>).</summary>
    bool TryAcceptPeer(ReadOnlySpan<byte> request, [NotNullWhen(true)] out byte[]? response, [NotNullWhen(false)] out AttestError? error);

    /// <summary>Starts an IX handshake with the peer enclave known as <paramref name="peerResponderId"/>.</summary>
    IngestPeerHandshake StartPeerHandshake(string peerResponderId);

    /// <summary>
    /// Completes a handshake started with <see cref="StartPeerHandshake"/>: verifies the peer's evidence (same
    /// measurement and product, trusted root) and keeps the channel, named by the returned id.
    /// </summary>
    bool TryCompletePeerHandshake(IngestPeerHandshake handshake, ReadOnlySpan<byte> response, [NotNullWhen(true)] out byte[]? channelId, [NotNullWhen(false)] out AttestError? error);

    /// <summary>
    /// Encrypts the ingress private key for the peer on channel <paramref name="channelId"/> (one this enclave started,
    /// or one a peer started with it). <paramref name="ingressPublicKey"/> is the public key of what was sent.
    /// </summary>
    bool TryEncryptIngressKeyForPeer(ReadOnlySpan<byte> channelId, [NotNullWhen(true)] out Message? message, out byte[] ingressPublicKey, [NotNullWhen(false)] out AttestError? error);

    /// <summary>
    /// Installs an ingress private key a peer enclave sent on an attested channel, and refreshes the evidence.
    /// <paramref name="changed"/> says (computed in constant time) whether it differs from the key held before.
    /// </summary>
    bool TrySetIngressKeyFromPeer(Message message, out bool changed, [NotNullWhen(false)] out AttestError? error);
}

/// <summary>One chunk of a block's TxOuts, as the host passes it in.</summary>
/// <param name="BlockIndex">The block's index.</param>
/// <param name="GlobalTxoIndex">The global index of the chunk's first TxOut.</param>
/// <param name="Timestamp">The block signature's time in seconds (<c>ulong.MaxValue</c> when the block has none).</param>
/// <param name="TxOuts">The TxOuts, in block order.</param>
public sealed record IngestChunk(ulong BlockIndex, ulong GlobalTxoIndex, ulong Timestamp, IReadOnlyList<TxOut> TxOuts);

/// <summary>What <see cref="IIngestEnclave.IngestTxs"/> did.</summary>
public enum IngestStatus
{
    /// <summary>The chunk was processed; the records are in the result.</summary>
    Ok = 0,

    /// <summary>The chunk is malformed (a missing TxOut, or global indices that overflow).</summary>
    InvalidBlockData = 1,

    /// <summary>
    /// The counter map overflowed on every retry: the chunk has more TxOuts than the map can hold. The egress key
    /// was rotated (see <see cref="IngestChunkResult.NewEgressPublicKey"/>); raise the user capacity.
    /// </summary>
    ChunkTooBig = 2,
}

/// <summary>One encrypted TxOut record: a 16-byte search key and the boxed <c>TxOutRecord</c>.</summary>
/// <param name="SearchKey">The recipient's next KexRng output (16 bytes).</param>
/// <param name="Payload">The crypto-box encryption of the <c>TxOutRecord</c> to the recipient's view public key.</param>
public readonly record struct IngestedRecord(ReadOnlyMemory<byte> SearchKey, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Shows sizes only.</summary>
    public override string ToString() => $"IngestedRecord(payload {Payload.Length} bytes)";
}

/// <summary>The outcome of <see cref="IIngestEnclave.IngestTxs"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Records">One record per well-formed TxOut, in TxOut order (empty unless <see cref="IngestStatus.Ok"/>).</param>
/// <param name="NewEgressPublicKey">The new egress key when the map overflowed and the key was rotated during this call; otherwise null.</param>
/// <param name="Message">A readable explanation for a failure; null on success.</param>
public sealed record IngestChunkResult(IngestStatus Status, IReadOnlyList<IngestedRecord> Records, KexRngPubkey? NewEgressPublicKey, string? Message);

/// <summary>The enclave's attestation evidence and the ingress public key it binds.</summary>
/// <param name="Evidence">An encoded <c>attest.FogEvidenceEnvelope</c>.</param>
/// <param name="IngressPublicKey">The 32-byte ingress public key (the evidence's custom identity).</param>
public sealed record IngestReport(byte[] Evidence, byte[] IngressPublicKey);
