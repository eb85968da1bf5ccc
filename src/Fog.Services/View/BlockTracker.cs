using Fog.Crypto.Ristretto;
using Fog.Storage.Recovery;

namespace Fog.Services.View;

/// <summary>
/// Tracks which blocks each ingress key has had loaded into the view enclave and computes the highest fully processed
/// block count (reference/view.md §4.3): the largest N such that every ingress key responsible for each block below N
/// has had that block loaded. A key is responsible for the blocks of its <see cref="IngressPublicKeyRecord.BlockRange"/>:
/// an active key from its start block on, a retired key up to its expiry, a lost key only up to its last scanned block
/// (the rest was announced to clients as a missed range), a lost key that never scanned nothing. Blocks no key covers
/// are passed freely, but the count never exceeds the highest block loaded + 1.
/// </summary>
/// <remarks>Not thread-safe: the loader owns it.</remarks>
internal sealed class BlockTracker
{
    private readonly Dictionary<RistrettoPublic, ulong> _lastLoaded = [];

    /// <summary>The count last computed (it never decreases).</summary>
    public ulong HighestProcessedBlockCount { get; private set; }

    /// <summary>The highest block loaded under any key, plus one (0 when nothing was loaded).</summary>
    public ulong HighestKnownBlockCount { get; private set; }

    /// <summary>The last block loaded under <paramref name="key"/>, or null.</summary>
    public ulong? LastLoaded(RistrettoPublic key) => _lastLoaded.TryGetValue(key, out var last) ? last : null;

    /// <summary>
    /// The next block to load for a key: the one after the last loaded, or its start block — if the key is
    /// responsible for it; otherwise null (nothing more to load under this key).
    /// </summary>
    public ulong? NextBlock(IngressPublicKeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var next = _lastLoaded.TryGetValue(record.Key, out var last) ? last + 1 : record.Status.StartBlock;
        return record.CoversBlockIndex(next) ? next : null;
    }

    /// <summary>Records that block <paramref name="blockIndex"/> of <paramref name="key"/> is loaded.</summary>
    /// <exception cref="InvalidOperationException">It is not the block after the last one loaded under the key.</exception>
    public void BlockProcessed(RistrettoPublic key, ulong blockIndex)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_lastLoaded.TryGetValue(key, out var last) && blockIndex != last + 1)
        {
            throw new InvalidOperationException($"Ingress key {key}: block {blockIndex} loaded after block {last}; blocks of a key load in order.");
        }

        _lastLoaded[key] = blockIndex;
        HighestKnownBlockCount = Math.Max(HighestKnownBlockCount, blockIndex + 1);
    }

    /// <summary>
    /// Advances and returns the highest fully processed block count given the ingress keys as the database holds them
    /// now, and the key that stops it going further (null when it reached <see cref="HighestKnownBlockCount"/>).
    /// </summary>
    public (ulong Count, IngressPublicKeyRecord? BlockedBy) HighestFullyProcessedBlockCount(IReadOnlyList<IngressPublicKeyRecord> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        while (HighestProcessedBlockCount < HighestKnownBlockCount)
        {
            var next = HighestProcessedBlockCount;
            foreach (var record in keys)
            {
                if (record.CoversBlockIndex(next) && !(_lastLoaded.TryGetValue(record.Key, out var last) && last >= next))
                {
                    return (HighestProcessedBlockCount, record);
                }
            }

            HighestProcessedBlockCount = next + 1;
        }

        return (HighestProcessedBlockCount, null);
    }
}
