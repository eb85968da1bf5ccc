using Fog.Crypto.Ristretto;

namespace Fog.Storage.Recovery;

/// <summary>The stored state of an ingress public key (the reference's <c>IngressPublicKeyStatus</c>).</summary>
/// <param name="StartBlock">The first block fog promises to scan with this key.</param>
/// <param name="PubkeyExpiry">
/// The largest expiry ever published for the key in a report: the last block at which a sender may use it.
/// It only grows; a value at or below <paramref name="StartBlock"/> means the key was never published.
/// </param>
/// <param name="Retired">Reports are no longer published; servers scan up to the expiry, then go idle.</param>
/// <param name="Lost">No enclave holds the key any more; what it did not scan up to its expiry is missed.</param>
public sealed record IngressPublicKeyStatus(ulong StartBlock, ulong PubkeyExpiry, bool Retired, bool Lost);

/// <summary>An ingress key with its status and the last block scanned with it (the reference's <c>IngressPublicKeyRecord</c>).</summary>
/// <param name="Key">The ingress public key.</param>
/// <param name="Status">Its stored state.</param>
/// <param name="LastScannedBlock">The highest block index stored under the key, or null if none.</param>
public sealed record IngressPublicKeyRecord(RistrettoPublic Key, IngressPublicKeyStatus Status, ulong? LastScannedBlock)
{
    /// <summary>
    /// The blocks fog is responsible for scanning with this key: a lost key that scanned something,
    /// <c>[start, last scanned + 1)</c>; a lost key that never scanned, empty; a retired key,
    /// <c>[start, pubkey expiry)</c>; otherwise <c>[start, ulong.MaxValue)</c>.
    /// </summary>
    public BlockRange BlockRange =>
        Status.Lost
            ? LastScannedBlock is { } last ? Range(Status.StartBlock, last + 1) : BlockRange.Empty
            : Status.Retired ? Range(Status.StartBlock, Status.PubkeyExpiry) : new BlockRange(Status.StartBlock, ulong.MaxValue);

    /// <summary>True when <paramref name="blockIndex"/> is in <see cref="BlockRange"/>.</summary>
    public bool CoversBlockIndex(ulong blockIndex) => BlockRange.Contains(blockIndex);

    /// <summary>The next block to scan with this key (last scanned + 1, or the start block), if the key covers it; otherwise null.</summary>
    public ulong? NextNeededBlockIndex
    {
        get
        {
            var next = LastScannedBlock is { } last ? last + 1 : Status.StartBlock;
            return CoversBlockIndex(next) ? next : null;
        }
    }

    // A retired key published with an expiry at or below its start covers nothing.
    private static BlockRange Range(ulong start, ulong end) => end > start ? new BlockRange(start, end) : new BlockRange(start, start);
}

/// <summary>Which keys <see cref="IRecoveryDb.GetIngressKeyRecordsAsync"/> returns.</summary>
/// <param name="IncludeLost">Include keys reported lost.</param>
/// <param name="IncludeRetired">Include retired keys.</param>
/// <param name="OnlyUnexpired">
/// Only keys that have scanned something and whose last scanned block is below their pubkey expiry
/// (the overseer's "outstanding" keys). Keys that never scanned a block are excluded.
/// </param>
public readonly record struct IngressKeyFilters(bool IncludeLost, bool IncludeRetired, bool OnlyUnexpired)
{
    /// <summary>Every key, lost and retired included: what a view server loads.</summary>
    public static IngressKeyFilters All => new(IncludeLost: true, IncludeRetired: true, OnlyUnexpired: false);

    /// <summary>Keys that are neither lost nor retired.</summary>
    public static IngressKeyFilters Active => new(IncludeLost: false, IncludeRetired: false, OnlyUnexpired: false);
}
