using Fog.Attestation.Sealing;
using Fog.Oblivious.Maps;

namespace Fog.Enclaves.Ingest;

/// <summary>Settings of an ingest enclave. Defaults are the reference's; <see cref="Validate"/> checks them.</summary>
public sealed record IngestEnclaveOptions
{
    /// <summary>The reference's <c>MC_USER_CAPACITY</c> default: 2^18.</summary>
    public const ulong DefaultUserCapacity = 1UL << 18;

    /// <summary>The reference's <c>MAX_CHUNK_RETRIES</c>.</summary>
    public const int DefaultMaxChunkRetries = 10;

    /// <summary>
    /// Desired capacity of the RNG counter map (a power of two; default 2^18 = 262,144). The real map holds
    /// 2 · 25 · (buckets per table) slots, about 70–75 % of which fill before an overflow; every TxOut adds one
    /// entry, so the egress key rotates roughly every 0.7 · capacity TxOuts. Memory is about 64 bytes per slot.
    /// </summary>
    public ulong UserCapacity { get; init; } = DefaultUserCapacity;

    /// <summary>How often a chunk is re-processed under a fresh egress key after an overflow before giving up (default 10).</summary>
    public int MaxChunkRetries { get; init; } = DefaultMaxChunkRetries;

    /// <summary>The machine sealing secret the ingress key is sealed under (required; borrowed, must outlive the enclave).</summary>
    public MachineSealingSecret? SealingSecret { get; init; }

    /// <summary>
    /// Ed25519 public keys of the simulation roots whose evidence peers may present (default: none, which refuses
    /// every simulated peer). Peers must also have this enclave's measurement, product id and signer, and at least
    /// its security version.
    /// </summary>
    public IReadOnlyList<byte[]> TrustedSimulationRoots { get; init; } = [];

    /// <summary>Attested peer channels kept at once, in each direction (the reference's MAX_PEER_SESSIONS, 64).</summary>
    public int MaxPeerSessions { get; init; } = 64;

    /// <summary>Threads used for the per-TxOut cryptography (default: all cores). The counter map is always sequential.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Test and benchmark hook: map options replacing the default ingest shape at <see cref="UserCapacity"/>.</summary>
    internal ObliviousMapOptions? MapOptions { get; init; }

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (UserCapacity < 2 || !ulong.IsPow2(UserCapacity))
        {
            throw new ArgumentException($"{nameof(UserCapacity)} must be a power of two of at least 2 (got {UserCapacity}).", nameof(UserCapacity));
        }

        if (MaxChunkRetries < 1)
        {
            throw new ArgumentException($"{nameof(MaxChunkRetries)} must be at least 1 (got {MaxChunkRetries}).", nameof(MaxChunkRetries));
        }

        if (SealingSecret is null)
        {
            throw new ArgumentException($"{nameof(SealingSecret)} is required: the ingress key is sealed under it.", nameof(SealingSecret));
        }

        if (MaxPeerSessions < 1)
        {
            throw new ArgumentException($"{nameof(MaxPeerSessions)} must be at least 1 (got {MaxPeerSessions}).", nameof(MaxPeerSessions));
        }

        if (Parallelism < 1)
        {
            throw new ArgumentException($"{nameof(Parallelism)} must be at least 1 (got {Parallelism}).", nameof(Parallelism));
        }

        if (TrustedSimulationRoots.Any(r => r is not { Length: 32 }))
        {
            throw new ArgumentException($"Every entry of {nameof(TrustedSimulationRoots)} is a 32-byte Ed25519 public key.", nameof(TrustedSimulationRoots));
        }
    }
}
