using Fog.Crypto.Box;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Enclaves.Ingest;
using Fog.Model.FogData;
using Fog.Model.Transactions;
using Fog.Testing;
using static Fog.Enclaves.Tests.Ingest.IngestTestData;

namespace Fog.Enclaves.Tests.Ingest;

/// <summary>The ingest enclave scenarios of reference/ingest.md §6, items 1–6.</summary>
public sealed class IngestEnclaveScenarioTests : IDisposable
{
    private readonly IngestTestHost _host = new();

    public void Dispose() => _host.Dispose();

    public static TheoryData<uint> BlockVersions => [0, 1, 2, 3, 4];

    // Item 1.
    [Theory]
    [MemberData(nameof(BlockVersions))]
    public void Ten_txouts_to_bob_give_ten_records_that_only_bob_finds_and_decrypts(uint blockVersion)
    {
        using var enclave = _host.Create(capacity: 128);
        using var bob = Account(1);
        using var alice = Account(2);
        var version = new BlockVersion(blockVersion);
        var txOuts = Enumerable.Range(0, 10).Select(i => To(bob.DefaultSubaddress, enclave.IngressPublicKey, 1_000 + (ulong)i, version)).ToList();
        var egress = enclave.EgressPublicKey;

        var result = enclave.IngestTxs(Chunk(txOuts, globalIndex: 100, blockIndex: 1, timestamp: 10));

        Assert.Equal(IngestStatus.Ok, result.Status);
        Assert.Null(result.NewEgressPublicKey);
        Assert.Equal(10, result.Records.Count);
        var expectedPlaintext = TxOutRecord.FromTxOut(txOuts[0], 100, 1, 10).ToProtobuf().Length;
        Assert.All(result.Records, r => Assert.Equal(VersionedCryptoBox.CiphertextSize(expectedPlaintext), r.Payload.Length));
        if (blockVersion >= 2)
        {
            // reference: EXPECTED_PAYLOAD_SIZE = 237 "for security purposes, so that they are all indistinguishable".
            Assert.All(result.Records, r => Assert.Equal(237, r.Payload.Length));
        }

        Assert.All(result.Records, r => Assert.Equal(KexRng.OutputSize, r.SearchKey.Length));
        var keys = result.Records.Select(r => Convert.ToHexString(r.SearchKey.Span)).ToList();
        Assert.Equal(10, keys.Distinct().Count());

        // Bob's RNG from the egress key gives exactly these search keys, in order.
        using var rng = Rng(bob, egress);
        Assert.Equal(keys, Enumerable.Range(0, 10).Select(_ => Convert.ToHexString(rng.Next())).ToList());

        for (var i = 0; i < 10; i++)
        {
            var record = Open(bob, result.Records[i]);
            Assert.NotNull(record);
            Assert.Equal(1UL, record.BlockIndex);
            Assert.Equal(100UL + (ulong)i, record.GlobalIndex);
            Assert.Equal(10UL, record.Timestamp);
            Assert.Equal(TxOutRecord.FromTxOut(txOuts[i], 100 + (ulong)i, 1, 10).ToProtobuf(), record.ToProtobuf());
            Assert.Equal(TxOutRecordError.None, record.TryRecover(bob.ViewPrivateKey, out var recovered, out var amount));
            Assert.Equal(1_000 + (ulong)i, amount.Value);
            Assert.Equal(txOuts[i].PublicKey.ToArray(), recovered!.PublicKey.ToArray());
            Assert.Null(Open(alice, result.Records[i]));
        }
    }

    // Item 2.
    [Fact]
    public void Forty_mixed_hints_give_thirty_records_with_bobs_every_third()
    {
        using var enclave = _host.Create(capacity: 128);
        using var bob = Account(3);
        var ingress = enclave.IngressPublicKey;
        var txOuts = new List<TxOut>();
        for (var i = 0; i < 40; i++)
        {
            txOuts.Add((i % 4) switch
            {
                0 => To(bob.DefaultSubaddress, ingress),
                1 => NonFog(bob.DefaultSubaddress),
                2 => WrongMagic(bob.DefaultSubaddress, ingress),
                _ => InvalidPoint(bob.DefaultSubaddress, ingress),
            });
        }

        using var rng = Rng(bob, enclave.EgressPublicKey);
        var result = enclave.IngestTxs(Chunk(txOuts));

        Assert.Equal(IngestStatus.Ok, result.Status);
        Assert.Null(result.NewEgressPublicKey);
        Assert.Equal(30, result.Records.Count);
        for (var group = 0; group < 10; group++)
        {
            var mine = result.Records[3 * group];
            Assert.Equal(rng.Peek().ToArray(), mine.SearchKey.ToArray());
            rng.Advance();
            var record = Open(bob, mine);
            Assert.NotNull(record);
            Assert.Equal(100UL + (4UL * (ulong)group), record.GlobalIndex);

            foreach (var chaff in new[] { result.Records[(3 * group) + 1], result.Records[(3 * group) + 2] })
            {
                Assert.NotEqual(rng.Peek().ToArray(), chaff.SearchKey.ToArray());
                using var view = bob.DefaultSubaddressViewPrivate();
                var plaintext = new byte[chaff.Payload.Length - VersionedCryptoBox.FooterSize];
                Assert.Equal(CryptoBoxResult.Ok, VersionedCryptoBox.Decrypt(view, chaff.Payload.Span, plaintext, out var authenticated));
                Assert.False(authenticated); // a MAC failure, not a malformed box
            }
        }
    }

    // Item 3.
    [Fact]
    public void Overflow_rotates_the_egress_key_and_reprocesses_the_chunk_from_counter_zero()
    {
        using var enclave = _host.Create(capacity: 128);
        Assert.Equal(100UL, enclave.StoreCapacity);
        using var alice = Account(4);
        using var bob = Account(5);
        var ingress = enclave.IngressPublicKey;
        var random = new Random(7);
        var pubkeys = new List<KexRngPubkey> { enclave.EgressPublicKey };
        var rows = new List<(IngestedRecord Record, bool ToAlice, ulong GlobalIndex)>();
        var globalIndex = 0UL;
        for (var chunk = 0; chunk < 10; chunk++)
        {
            var toAlice = Enumerable.Range(0, 50).Select(_ => random.Next(2) == 0).ToArray();
            var txOuts = toAlice.Select(a => To((a ? alice : bob).DefaultSubaddress, ingress)).ToList();
            var result = enclave.IngestTxs(Chunk(txOuts, globalIndex: globalIndex));
            Assert.Equal(IngestStatus.Ok, result.Status);
            Assert.Equal(50, result.Records.Count);
            if (result.NewEgressPublicKey is { } rotated)
            {
                Assert.Equal(rotated, enclave.EgressPublicKey);
                pubkeys.Add(rotated);
            }

            rows.AddRange(result.Records.Select((r, i) => (r, toAlice[i], globalIndex + (ulong)i)));
            globalIndex += 50;
        }

        Assert.True(pubkeys.Count > 1, "a map of 100 slots must overflow within 500 TxOuts");
        Assert.Equal(pubkeys.Count, pubkeys.Distinct().Count());
        Assert.Equal(rows.Count, rows.Select(r => Convert.ToHexString(r.Record.SearchKey.Span)).Distinct().Count());

        var aliceRngs = pubkeys.Select(p => Rng(alice, p)).ToList();
        var bobRngs = pubkeys.Select(p => Rng(bob, p)).ToList();
        try
        {
            foreach (var (record, isAlice, index) in rows)
            {
                var key = record.SearchKey.ToArray();
                var aliceMatches = aliceRngs.Where(r => r.Peek().SequenceEqual(key)).ToList();
                var bobMatches = bobRngs.Where(r => r.Peek().SequenceEqual(key)).ToList();
                Assert.Equal(1, aliceMatches.Count + bobMatches.Count);
                Assert.Equal(isAlice, aliceMatches.Count == 1);
                (aliceMatches.Count == 1 ? aliceMatches[0] : bobMatches[0]).Advance();

                var owner = isAlice ? alice : bob;
                var other = isAlice ? bob : alice;
                Assert.Equal(index, Open(owner, record)!.GlobalIndex);
                Assert.Null(Open(other, record));
            }
        }
        finally
        {
            aliceRngs.Concat(bobRngs).ToList().ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public void A_chunk_larger_than_the_map_fails_with_ChunkTooBig_and_leaves_a_fresh_map()
    {
        using var enclave = _host.Create(capacity: 128, maxChunkRetries: 2);
        using var bob = Account(6);
        var before = enclave.EgressPublicKey;
        var result = enclave.IngestTxs(Chunk(Enumerable.Range(0, 120).Select(_ => NonFog(bob.DefaultSubaddress)).ToList()));

        Assert.Equal(IngestStatus.ChunkTooBig, result.Status);
        Assert.Empty(result.Records);
        Assert.Contains("overflowed 3 times", result.Message, StringComparison.Ordinal);
        Assert.NotNull(result.NewEgressPublicKey);
        Assert.NotEqual(before, result.NewEgressPublicKey);
        Assert.Equal(0UL, enclave.StoreCount);

        // The next chunk starts Bob at counter 0 under the new key.
        var next = enclave.IngestTxs(Chunk([To(bob.DefaultSubaddress, enclave.IngressPublicKey)]));
        Assert.Equal(IngestStatus.Ok, next.Status);
        Assert.Null(next.NewEgressPublicKey);
        using var rng = Rng(bob, enclave.EgressPublicKey);
        Assert.Equal(rng.Peek().ToArray(), Assert.Single(next.Records).SearchKey.ToArray());
    }

    // Item 4.
    [Fact]
    public void Rng_store_accepts_the_all_zero_secret_and_gives_a_hundred_distinct_outputs()
    {
        using var store = new RngStore(Oblivious.Maps.ObliviousMapOptions.For(Oblivious.Maps.ObliviousMapShape.Ingest, 256));
        var secret = new byte[32];
        var outputs = new HashSet<string>();
        for (var i = 0; i < 100; i++)
        {
            var key = new byte[16];
            Assert.True(store.TryNextSearchKey(secret, key));
            outputs.Add(Convert.ToHexString(key));
        }

        Assert.Equal(100, outputs.Count);

        // Byte 0 inverted makes the zero secret FF 00…00, which is not a ristretto255 encoding: no real secret collides with it.
        var inverted = new byte[32];
        inverted[0] = 0xFF;
        Assert.False(Ristretto255.IsValidPoint(inverted));
    }

    // Item 5.
    [Fact]
    public void Rng_store_outputs_are_the_KexRng_test_vector_sequence()
    {
        var vector = Vectors.Json("mobilecoin/kex_rng.json").GetProperty("cases")[0];
        using var privateKey = RistrettoPrivate.Import(Convert.FromHexString(vector.GetProperty("private_key").GetString()!));
        var secret = new byte[32];
        Assert.True(privateKey.TryKeyExchange(Convert.FromHexString(vector.GetProperty("pubkey").GetString()!), secret));

        using var store = new RngStore(Oblivious.Maps.ObliviousMapOptions.For(Oblivious.Maps.ObliviousMapShape.Ingest, 256));
        foreach (var expected in vector.GetProperty("outputs").EnumerateArray())
        {
            var output = new byte[16];
            Assert.True(store.TryNextSearchKey(secret, output));
            Assert.Equal(expected.GetString(), Convert.ToHexStringLower(output));
        }
    }

    // Item 6.
    [Fact]
    public void A_hint_is_decrypted_by_the_enclave_holding_its_ingress_key_and_is_chaff_to_any_other()
    {
        using var ours = _host.Create(capacity: 128);
        using var theirs = _host.Create(capacity: 128);
        using var bob = Account(8);
        var txOut = To(bob.DefaultSubaddress, ours.IngressPublicKey);

        using var ourRng = Rng(bob, ours.EgressPublicKey);
        using var theirRng = Rng(bob, theirs.EgressPublicKey);
        var found = Assert.Single(ours.IngestTxs(Chunk([txOut])).Records);
        var chaff = Assert.Single(theirs.IngestTxs(Chunk([txOut])).Records);

        Assert.Equal(ourRng.Peek().ToArray(), found.SearchKey.ToArray());
        Assert.NotNull(Open(bob, found));
        Assert.NotEqual(theirRng.Peek().ToArray(), chaff.SearchKey.ToArray());
        Assert.Null(Open(bob, chaff));
        Assert.Equal(found.Payload.Length, chaff.Payload.Length);
    }

    [Fact]
    public void Chunks_of_a_block_continue_each_recipients_counter()
    {
        using var enclave = _host.Create(capacity: 4096);
        using var bob = Account(9);
        var ingress = enclave.IngressPublicKey;
        using var rng = Rng(bob, enclave.EgressPublicKey);
        for (var chunk = 0; chunk < 3; chunk++)
        {
            var result = enclave.IngestTxs(Chunk([To(bob.DefaultSubaddress, ingress), NonFog(bob.DefaultSubaddress)], globalIndex: (ulong)(2 * chunk)));
            Assert.Equal(rng.Next(), result.Records[0].SearchKey.ToArray());
        }
    }

    [Fact]
    public void A_missing_txout_is_invalid_block_data_and_changes_nothing()
    {
        using var enclave = _host.Create(capacity: 128);
        using var bob = Account(10);
        var result = enclave.IngestTxs(Chunk([NonFog(bob.DefaultSubaddress), null!]));
        Assert.Equal(IngestStatus.InvalidBlockData, result.Status);
        Assert.Equal(0UL, enclave.StoreCount);
        Assert.Equal(IngestStatus.InvalidBlockData, enclave.IngestTxs(new IngestChunk(1, ulong.MaxValue, 0, [NonFog(bob.DefaultSubaddress), NonFog(bob.DefaultSubaddress)])).Status);
    }

    [Fact]
    public void Enclaves_of_capacity_256_can_be_created_and_destroyed_repeatedly()
    {
        for (var i = 0; i < 3; i++)
        {
            var enclave = _host.Create(capacity: 256);
            Assert.Equal(400UL, enclave.StoreCapacity);
            enclave.Dispose();
            Assert.Throws<ObjectDisposedException>(() => enclave.GetReport());
        }
    }

    [Fact]
    public void Processing_on_one_thread_keeps_txout_order_and_the_counter_sequence()
    {
        using var sequential = _host.Create(capacity: 4096, parallelism: 1);
        using var bob = Account(11);
        var txOuts = Enumerable.Range(0, 64).Select(i => i % 3 == 0 ? To(bob.DefaultSubaddress, sequential.IngressPublicKey) : NonFog(bob.DefaultSubaddress)).ToList();
        using var rng = Rng(bob, sequential.EgressPublicKey);
        var records = sequential.IngestTxs(Chunk(txOuts)).Records;
        Assert.Equal(64, records.Count);
        for (var i = 0; i < 64; i += 3)
        {
            Assert.Equal(rng.Next(), records[i].SearchKey.ToArray());
            Assert.Equal(100UL + (ulong)i, Open(bob, records[i])!.GlobalIndex);
        }

        Assert.Equal(64, records.Select(r => Convert.ToHexString(r.SearchKey.Span)).Distinct().Count());
    }
}
