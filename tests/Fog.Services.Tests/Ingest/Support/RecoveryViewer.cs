using Fog.Crypto.Box;
using Fog.Crypto.Kex;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Storage.Recovery;

namespace Fog.Services.Tests.Ingest.Support;

/// <summary>
/// A pass-through view client (what fog view plus a client do, without the enclave): load every stored record by
/// search key, then for each RNG record a user rebuilds their KexRng and takes consecutive search keys while they are
/// found, decrypting each payload with their default-subaddress view key.
/// </summary>
internal static class RecoveryViewer
{
    /// <summary>The records <paramref name="user"/> finds, in discovery order.</summary>
    public static async Task<List<TxOutRecord>> FindAsync(IRecoveryDb db, AccountKey user)
    {
        var bySearchKey = await LoadAsync(db);
        var found = new List<TxOutRecord>();
        using var view = user.DefaultSubaddressViewPrivate();
        foreach (var rngRecord in (await EventsAsync(db)).OfType<NewRngRecordEvent>())
        {
            Assert.Equal(KexRngError.None, KexRng.TryCreate(rngRecord.Pubkey, view, out var rng));
            using (rng!)
            {
                while (bySearchKey.TryGetValue(Convert.ToHexString(rng!.Peek()), out var payload))
                {
                    var plaintext = VersionedCryptoBox.TryDecrypt(view, payload.Span);
                    Assert.NotNull(plaintext);
                    Assert.True(TxOutRecord.TryParseProtobuf(plaintext, out var record));
                    found.Add(record);
                    rng.Advance();
                }
            }
        }

        return found;
    }

    /// <summary>Every stored record of every ingress key, by search key (which must be unique).</summary>
    public static async Task<Dictionary<string, ReadOnlyMemory<byte>>> LoadAsync(IRecoveryDb db)
    {
        var records = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var key in await db.GetIngressKeyRecordsAsync(0, IngressKeyFilters.All))
        {
            var next = key.Status.StartBlock;
            while (true)
            {
                var blocks = await db.GetTxOutsByBlockRangeAndKeyAsync(key.Key, new BlockRange(next, next + 1000));
                foreach (var block in blocks)
                {
                    foreach (var record in block.Records)
                    {
                        Assert.True(records.TryAdd(Convert.ToHexString(record.SearchKey.Span), record.Payload), "search keys must never repeat");
                    }
                }

                if (blocks.Count < 1000)
                {
                    break;
                }

                next += 1000;
            }
        }

        return records;
    }

    public static async Task<List<UserEvent>> EventsAsync(IRecoveryDb db)
    {
        var events = new List<UserEvent>();
        var cursor = 0L;
        while (true)
        {
            var page = await db.SearchUserEventsAsync(cursor);
            if (page.Events.Count == 0)
            {
                return events;
            }

            events.AddRange(page.Events);
            cursor = page.NextStartFromUserEventId;
        }
    }
}
