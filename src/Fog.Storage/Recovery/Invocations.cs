using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;

namespace Fog.Storage.Recovery;

/// <summary>One ingest invocation: an RNG epoch of one enclave, identified by its egress key.</summary>
/// <param name="Id">The ingest invocation id.</param>
/// <param name="IngressKey">The ingress key it scans with.</param>
/// <param name="EgressPublicKey">The egress key and KexRng version its RNGs are seeded with.</param>
/// <param name="StartBlock">The first block of this RNG epoch.</param>
/// <param name="Decommissioned">True once it will produce no more records.</param>
/// <param name="LastActiveAt">When it was created, last stored a block, or was decommissioned.</param>
public sealed record IngestInvocation(long Id, RistrettoPublic IngressKey, KexRngPubkey EgressPublicKey, ulong StartBlock, bool Decommissioned, DateTimeOffset LastActiveAt);

/// <summary>An invocation with the blocks it ingested (the reference's <c>IngestableRange</c>).</summary>
/// <param name="Id">The ingest invocation id.</param>
/// <param name="StartBlock">Its first block.</param>
/// <param name="Decommissioned">True once it will produce no more records.</param>
/// <param name="LastIngestedBlock">The highest block it stored, or null if none.</param>
public sealed record IngestableRange(long Id, ulong StartBlock, bool Decommissioned, ulong? LastIngestedBlock);

/// <summary>A not yet decommissioned invocation that has been inactive since before a given time.</summary>
/// <param name="Id">The ingest invocation id.</param>
/// <param name="EgressPublicKey">Its egress key.</param>
/// <param name="LastActiveAt">When it was last active.</param>
public sealed record ExpiredInvocation(long Id, KexRngPubkey EgressPublicKey, DateTimeOffset LastActiveAt);
