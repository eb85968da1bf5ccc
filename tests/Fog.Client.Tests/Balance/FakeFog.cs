using Fog.Client.Balance;
using Fog.Crypto.Box;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Client.Tests.Balance;

/// <summary>
/// An in-memory stand-in for fog view, ledger key images and the block API, holding records made exactly as ingest
/// makes them (KexRng search keys under an egress key, crypto-box payloads to the user's c₀). Real cryptography; only
/// the transport is absent.
/// </summary>
internal sealed class FakeFog : IFogViewService, IFogKeyImageService, IFogBlockService
{
    private readonly Dictionary<string, byte[]> _records = new(StringComparer.Ordinal);
    private readonly List<(long Id, RngRecordInfo? Rng, DecommissionedInvocation? Decommissioned, BlockSpan? Missed)> _events = [];
    private readonly Dictionary<string, ulong> _spent = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, ScannedBlock> _blocks = [];
    private readonly Dictionary<string, ulong> _counters = new(StringComparer.Ordinal);
    private ulong _globalIndex;

    public ulong HighestProcessedBlockCount { get; set; }

    public ulong LedgerBlockCount { get; set; }

    public int Queries { get; private set; }

    public int MaxKeysInOneQuery { get; private set; }

    public List<int> KeysPerQuery { get; } = [];

    /// <summary>A new ingest invocation with a fresh egress key, announced through an RNG record.</summary>
    public RistrettoPrivate NewInvocation(long id, ulong startBlock)
    {
        var egress = RistrettoPrivate.Generate();
        _events.Add((_events.Count + 1, new RngRecordInfo(id, new KexRngPubkey(egress.PublicKey.ToArray(), 0), startBlock), null, null));
        return egress;
    }

    public void Decommission(long id, ulong lastBlock) => _events.Add((_events.Count + 1, null, new DecommissionedInvocation(id, lastBlock), null));

    public void Missed(ulong start, ulong end) => _events.Add((_events.Count + 1, null, null, new BlockSpan(start, end)));

    /// <summary>Records a payment to <paramref name="account"/> as ingest would, under <paramref name="egress"/>.</summary>
    public TxOut Pay(RistrettoPrivate egress, AccountKey account, ulong value, ulong blockIndex)
    {
        using var txKey = RistrettoPrivate.Generate();
        var txOut = TxOut.Create(BlockVersion.Max, new Amount(value, 0), account.DefaultSubaddress, txKey, FogHint.Fake());
        var record = TxOutRecord.FromTxOut(txOut, _globalIndex++, blockIndex, 1_700_000_000 + blockIndex);
        var c0Public = account.DefaultSubaddress.ViewPublicKey;
        var secret = new byte[32];
        egress.KeyExchange(c0Public, secret);
        var counterKey = Convert.ToHexString(secret);
        var counter = _counters.GetValueOrDefault(counterKey);
        _counters[counterKey] = counter + 1;
        var searchKey = new byte[KexRng.OutputSize];
        KexRng.Prf(secret, counter, searchKey);
        _records[Convert.ToHexString(searchKey)] = VersionedCryptoBox.Encrypt(c0Public, record.ToProtobuf());
        return txOut;
    }

    /// <summary>A block fog missed, holding <paramref name="outputs"/>.</summary>
    public void AddBlock(ulong index, params TxOut[] outputs)
    {
        _blocks[index] = new ScannedBlock(index, _globalIndex, 1_700_000_000 + index, outputs);
        _globalIndex += (ulong)outputs.Length;
    }

    public void Spend(KeyImage keyImage, ulong block) => _spent[keyImage.ToString()] = block;

    public Task<ViewQueryResult> QueryAsync(long startFromUserEventId, ulong startFromBlockIndex, IReadOnlyList<byte[]> searchKeys, CancellationToken cancellationToken)
    {
        Queries++;
        KeysPerQuery.Add(searchKeys.Count);
        MaxKeysInOneQuery = Math.Max(MaxKeysInOneQuery, searchKeys.Count);
        var events = startFromUserEventId == long.MaxValue ? [] : _events.Where(e => e.Id > startFromUserEventId).ToList();
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in searchKeys)
        {
            if (_records.TryGetValue(Convert.ToHexString(key), out var ciphertext))
            {
                found[Convert.ToHexString(key)] = ciphertext;
            }
        }

        return Task.FromResult(new ViewQueryResult
        {
            RngRecords = events.Where(e => e.Rng is not null).Select(e => e.Rng!).ToList(),
            Decommissioned = events.Where(e => e.Decommissioned is not null).Select(e => e.Decommissioned!).ToList(),
            MissedBlockRanges = events.Where(e => e.Missed is not null).Select(e => e.Missed!.Value).ToList(),
            NextStartFromUserEventId = startFromUserEventId == long.MaxValue ? long.MaxValue : _events.Count,
            HighestProcessedBlockCount = HighestProcessedBlockCount,
            Found = found,
        });
    }

    public Task<(IReadOnlyList<KeyImageStatus> Statuses, ulong NumBlocks)> CheckAsync(IReadOnlyList<KeyImage> keyImages, CancellationToken cancellationToken) =>
        Task.FromResult(((IReadOnlyList<KeyImageStatus>)keyImages.Select(k => new KeyImageStatus(k, _spent.TryGetValue(k.ToString(), out var block) ? block : null)).ToList(), LedgerBlockCount));

    public Task<IReadOnlyList<ScannedBlock>> GetBlocksAsync(IReadOnlyList<BlockSpan> ranges, CancellationToken cancellationToken) =>
        Task.FromResult((IReadOnlyList<ScannedBlock>)ranges.SelectMany(r => Enumerable.Range((int)r.Start, (int)(r.End - r.Start)))
            .Select(i => _blocks.TryGetValue((ulong)i, out var block) ? block : new ScannedBlock((ulong)i, 0, 0, []))
            .ToList());
}
