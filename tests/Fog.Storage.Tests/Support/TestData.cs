using System.Security.Cryptography;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Storage.Recovery;

namespace Fog.Storage.Tests.Support;

/// <summary>Keys and records for tests.</summary>
public static class TestData
{
    /// <summary>A fresh random ristretto255 point.</summary>
    public static RistrettoPublic NewKey() => RistrettoPublic.FromUniformBytes(RandomNumberGenerator.GetBytes(64));

    /// <summary>A fresh egress key, KexRng version 0.</summary>
    public static KexRngPubkey NewEgress(uint version = 0) => new(NewKey().Bytes.ToArray(), version);

    /// <summary><paramref name="count"/> records with 237-byte payloads (the size ingest writes), from a seed.</summary>
    public static ETxOutRecord[] Records(int count, int seed)
    {
        var random = new Random(seed);
        var records = new ETxOutRecord[count];
        for (var i = 0; i < count; i++)
        {
            var key = new byte[ETxOutRecord.SearchKeySize];
            var payload = new byte[237];
            random.NextBytes(key);
            random.NextBytes(payload);
            records[i] = new ETxOutRecord(key, payload);
        }

        return records;
    }
}
