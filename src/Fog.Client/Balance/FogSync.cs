using Fog.Crypto.Box;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Client.Balance;

/// <summary>
/// The balance check (reference/view.md §5), with the reference client's quirks fixed deliberately:
/// missed block ranges are kept even when the view count does not advance; a decommissioned RNG that has produced all it
/// can stops being probed; an outstanding missed range limits the valid-at height to its first block (not one past it).
/// </summary>
internal sealed class FogSync
{
    /// <summary>Most search keys in one view request.</summary>
    internal const int MaxSearchKeysPerRequest = 500;

    /// <summary>Most key images in one ledger request.</summary>
    internal const int MaxKeyImagesPerRequest = 100;

    // Subaddresses a wallet recognises: default, the historical change index 1, and the change subaddress.
    private static readonly ulong[] RecognisedSubaddresses = [AccountKey.DefaultSubaddressIndex, 1, AccountKey.ChangeSubaddressIndex];

    private readonly AccountKey _account;
    private readonly FogClientState _state;
    private readonly Dictionary<string, ulong> _subaddressBySpendKey;

    internal FogSync(AccountKey account, FogClientState state)
    {
        _account = account;
        _state = state;
        _subaddressBySpendKey = RecognisedSubaddresses.ToDictionary(i => account.Subaddress(i).SpendPublicKey.ToString(), i => i, StringComparer.Ordinal);
    }

    /// <summary>
    /// Searches fog view for new records: first the events (new RNGs, decommissions, missed ranges), then rounds of
    /// search keys until every RNG stops finding records. Returns the number of new outputs.
    /// </summary>
    internal async Task<int> PollViewAsync(IFogViewService view, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var events = await view.QueryAsync(_state.NextUserEventId, _state.HighestProcessedBlockCount, [], cancellationToken).ConfigureAwait(false);
        using var c0 = _account.DefaultSubaddressViewPrivate();
        foreach (var record in events.RngRecords)
        {
            AddRng(record, c0);
        }

        foreach (var decommissioned in events.Decommissioned)
        {
            foreach (var rng in _state.Rngs.Where(r => r.IngestInvocationId == decommissioned.IngestInvocationId))
            {
                rng.LastIngestedBlock = decommissioned.LastIngestedBlock;
            }
        }

        // Keep missed ranges whatever happens next: the cursor has moved past them.
        AddMissedRanges(events.MissedBlockRanges);
        _state.NextUserEventId = events.NextStartFromUserEventId;
        var newHighest = events.HighestProcessedBlockCount;
        if (newHighest <= _state.HighestProcessedBlockCount)
        {
            return 0;
        }

        var found = 0;
        var live = _state.Rngs.Where(r => !r.Exhausted).Select(r => (State: r, Rng: Restore(r))).ToList();
        try
        {
            var dead = new HashSet<string>(StringComparer.Ordinal);
            var multiplier = 1;
            while (dead.Count < live.Count)
            {
                var active = live.Where(r => !dead.Contains(r.State.EgressPublicKey)).ToList();
                multiplier = Math.Min(multiplier * 2, Math.Max(MaxSearchKeysPerRequest / active.Count, 1));
                var keys = new List<byte[]>();
                foreach (var (_, rng) in active)
                {
                    keys.AddRange(rng.PeekAhead(multiplier));
                }

                progress?.Report($"searching fog view: {keys.Count} search keys for {active.Count} RNGs ({found} new outputs so far)");
                var response = await view.QueryAsync(long.MaxValue, _state.HighestProcessedBlockCount, keys, cancellationToken).ConfigureAwait(false);
                newHighest = Math.Min(newHighest, response.HighestProcessedBlockCount);
                var hits = new Dictionary<string, byte[]>(response.Found, StringComparer.Ordinal);
                foreach (var (state, rng) in active)
                {
                    var before = rng.Index;
                    while (hits.Remove(Convert.ToHexString(rng.Peek()), out var ciphertext))
                    {
                        found += AddRecord(ciphertext, c0) ? 1 : 0;
                        rng.Advance();
                    }

                    state.Stored = Convert.ToHexString(rng.ToStoredBytes());
                    if (rng.Index - before < (ulong)multiplier)
                    {
                        dead.Add(state.EgressPublicKey);
                    }
                }
            }

            _state.HighestProcessedBlockCount = Math.Max(_state.HighestProcessedBlockCount, newHighest);

            // An RNG of a decommissioned invocation that found nothing more once fog processed past its last block is done.
            foreach (var (state, _) in live)
            {
                if (state.LastIngestedBlock is { } last && _state.HighestProcessedBlockCount > last)
                {
                    state.Exhausted = true;
                }
            }
        }
        finally
        {
            foreach (var (_, rng) in live)
            {
                rng.Dispose();
            }
        }

        return found;
    }

    /// <summary>Scans the outstanding missed block ranges directly. Returns the number of new outputs.</summary>
    internal async Task<int> ScanMissedBlocksAsync(IFogBlockService blocks, CancellationToken cancellationToken)
    {
        if (_state.MissedRanges.Count == 0)
        {
            return 0;
        }

        var found = 0;
        var scanned = await blocks.GetBlocksAsync(_state.MissedRanges.ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var block in scanned)
        {
            for (var i = 0; i < block.Outputs.Count; i++)
            {
                found += AddOutput(block.Outputs[i], block.FirstGlobalIndex + (ulong)i, block.Index, block.Timestamp) ? 1 : 0;
            }
        }

        RemoveScanned(scanned.Select(b => b.Index).ToHashSet());
        return found;
    }

    /// <summary>Asks fog ledger which unspent outputs have been spent.</summary>
    internal async Task CheckKeyImagesAsync(IFogKeyImageService keyImages, CancellationToken cancellationToken)
    {
        var unspent = _state.Outputs.Where(o => o.SpentAtBlock is null).ToList();
        foreach (var chunk in unspent.Chunk(MaxKeyImagesPerRequest))
        {
            var images = chunk.Select(o => new KeyImage(Convert.FromHexString(o.KeyImage))).ToList();
            var (statuses, numBlocks) = await keyImages.CheckAsync(images, cancellationToken).ConfigureAwait(false);
            if (statuses.Count != chunk.Length)
            {
                throw new InvalidDataException($"Fog ledger answered {statuses.Count} key images for {chunk.Length} asked.");
            }

            for (var i = 0; i < chunk.Length; i++)
            {
                if (!statuses[i].KeyImage.Equals(images[i]))
                {
                    throw new InvalidDataException("Fog ledger answered key images out of order.");
                }

                if (statuses[i].Error)
                {
                    continue;
                }

                if (statuses[i].SpentAtBlock is { } spentAt)
                {
                    chunk[i].SpentAtBlock = spentAt;
                    chunk[i].PendingSpendTombstone = null;
                }
                else
                {
                    chunk[i].NotSpentAsOf = Math.Max(chunk[i].NotSpentAsOf, numBlocks);
                    if (chunk[i].PendingSpendTombstone is { } tombstone && numBlocks >= tombstone)
                    {
                        // Our transaction spending it can no longer land: it is spendable again.
                        chunk[i].PendingSpendTombstone = null;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The balance per token and the block count it is valid at: min(view's processed count, the oldest not-spent check,
    /// the first block of any unscanned missed range).
    /// </summary>
    internal (IReadOnlyDictionary<ulong, ulong> Balances, ulong ValidAtBlockCount) Balance()
    {
        var validAt = _state.HighestProcessedBlockCount;
        foreach (var output in _state.Outputs.Where(o => o.SpentAtBlock is null))
        {
            validAt = Math.Min(validAt, output.NotSpentAsOf);
        }

        foreach (var range in _state.MissedRanges)
        {
            validAt = Math.Min(validAt, range.Start);
        }

        var balances = new Dictionary<ulong, ulong>();
        foreach (var output in _state.Outputs.Where(o => o.BlockIndex < validAt && (o.SpentAtBlock is null || o.SpentAtBlock >= validAt)))
        {
            balances[output.TokenId] = checked(balances.GetValueOrDefault(output.TokenId) + output.Value);
        }

        return (balances, validAt);
    }

    /// <summary>
    /// Adds an output (from a fog record or a scanned block) if it is the user's: P − Hs(a·R)·G must be one of the
    /// recognised subaddress spend keys and the amount must open. Deduplicates by global index.
    /// </summary>
    internal bool AddOutput(TxOut txOut, ulong globalIndex, ulong blockIndex, ulong timestamp)
    {
        if (_state.Outputs.Any(o => o.GlobalIndex == globalIndex))
        {
            return false;
        }

        var spendPublic = txOut.RecoverSubaddressSpendPublic(_account.ViewPrivateKey);
        if (spendPublic is null || !_subaddressBySpendKey.TryGetValue(spendPublic.ToString(), out var subaddress) ||
            !txOut.TryGetAmount(_account.ViewPrivateKey, out var amount))
        {
            return false;
        }

        using var spend = _account.SubaddressSpendPrivate(subaddress);
        _state.Outputs.Add(new OwnedOutputState
        {
            GlobalIndex = globalIndex,
            BlockIndex = blockIndex,
            Timestamp = timestamp,
            TxOut = Convert.ToHexString(txOut.ToProtobuf()),
            SubaddressIndex = subaddress,
            Value = amount.Value,
            TokenId = amount.TokenId,
            KeyImage = txOut.KeyImage(_account.ViewPrivateKey, spend).ToString(),
            NotSpentAsOf = blockIndex + 1,
            Memo = txOut.DecryptMemo(_account.ViewPrivateKey) is { } memo ? Convert.ToHexString(memo.Bytes) : "",
        });
        return true;
    }

    private bool AddRecord(byte[] ciphertext, RistrettoPrivate c0)
    {
        var plaintext = VersionedCryptoBox.TryDecrypt(c0, ciphertext);
        if (plaintext is null || !TxOutRecord.TryParseProtobuf(plaintext, out var record) ||
            record.TryRecover(_account.ViewPrivateKey, out var txOut, out _) != TxOutRecordError.None)
        {
            return false;
        }

        return AddOutput(txOut!, record.GlobalIndex, record.BlockIndex, record.Timestamp);
    }

    private void AddRng(RngRecordInfo record, RistrettoPrivate c0)
    {
        var key = Convert.ToHexString(record.Pubkey.PublicKey.Span);
        if (_state.Rngs.Any(r => r.EgressPublicKey == key))
        {
            return;
        }

        if (KexRng.TryCreate(record.Pubkey, c0, out var rng) != KexRngError.None)
        {
            return;
        }

        using (rng)
        {
            _state.Rngs.Add(new RngState
            {
                EgressPublicKey = key,
                IngestInvocationId = record.IngestInvocationId,
                StartBlock = record.StartBlock,
                Stored = Convert.ToHexString(rng!.ToStoredBytes()),
            });
        }
    }

    private static KexRng Restore(RngState state) =>
        KexRng.TryFromStoredBytes(Convert.FromHexString(state.Stored), out var rng) == KexRngError.None
            ? rng!
            : throw new InvalidDataException($"The stored RNG for egress key {state.EgressPublicKey[..16]}… is corrupt.");

    private void AddMissedRanges(IReadOnlyList<BlockSpan> ranges)
    {
        foreach (var range in ranges.Where(r => !r.IsEmpty))
        {
            if (!_state.MissedRanges.Contains(range))
            {
                _state.MissedRanges.Add(range);
            }
        }
    }

    // Drops scanned blocks from the outstanding ranges, splitting ranges around them.
    private void RemoveScanned(HashSet<ulong> scanned)
    {
        var remaining = new List<BlockSpan>();
        foreach (var range in _state.MissedRanges)
        {
            var start = range.Start;
            for (var block = range.Start; block < range.End; block++)
            {
                if (scanned.Contains(block))
                {
                    if (block > start)
                    {
                        remaining.Add(new BlockSpan(start, block));
                    }

                    start = block + 1;
                }
            }

            if (start < range.End)
            {
                remaining.Add(new BlockSpan(start, range.End));
            }
        }

        _state.MissedRanges = remaining;
    }
}
