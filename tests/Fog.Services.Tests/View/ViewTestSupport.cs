using System.Security.Cryptography;
using Fog.Attestation.Evidence;
using Fog.Client.View;
using Fog.Crypto.Box;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Transactions;
using Fog.Services.Hosting;
using Fog.Services.View;
using Fog.Storage.Recovery;
using Fog.Testing.Network;
using Npgsql;

namespace Fog.Services.Tests.View;

/// <summary>
/// The recovery DB backends every view test runs on: SQLite in a temporary directory, and PostgreSQL in a fresh schema
/// where <c>FOG_TEST_POSTGRES</c> is set (.ci/run starts a throwaway server); reported as skipped otherwise.
/// </summary>
public static class Backends
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static TheoryData<string> All => [Sqlite, Postgres];

    public static string? PostgresConnectionString =>
        Environment.GetEnvironmentVariable("FOG_TEST_POSTGRES") is { Length: > 0 } value ? value : null;
}

/// <summary>A fresh recovery DB for one test, removed on dispose.</summary>
public sealed class TestRecoveryDb : IAsyncDisposable
{
    private readonly string? _schema;

    private TestRecoveryDb(string directory, string? schema, IRecoveryDb db, Func<Task<IRecoveryDb>> open)
    {
        Directory = directory;
        _schema = schema;
        Db = db;
        OpenAnotherAsync = open;
    }

    /// <summary>A temporary directory for the test (SQLite file, simulation root, ledgers).</summary>
    public string Directory { get; }

    public IRecoveryDb Db { get; }

    /// <summary>Another client of the same database (a server's own connection).</summary>
    public Func<Task<IRecoveryDb>> OpenAnotherAsync { get; }

    public string SimulationRootPath => Path.Combine(Directory, "simulation-root.key");

    public static async Task<TestRecoveryDb> CreateAsync(string backend)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("fog-view-test-").FullName;
        if (backend == Backends.Postgres)
        {
            var server = Backends.PostgresConnectionString;
            Skip.If(server is null, "FOG_TEST_POSTGRES is not set: the PostgreSQL view tests need a server (.ci/run starts one).");
            var schema = "v_" + Guid.NewGuid().ToString("N");
            await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", admin);
                await create.ExecuteNonQueryAsync();
            }

            var location = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
            Task<IRecoveryDb> Open() => new RecoveryDbBuilder().UsePostgres(location).BuildAsync();
            return new TestRecoveryDb(directory, schema, await Open(), Open);
        }
        else
        {
            var path = Path.Combine(directory, "recovery.db");
            Task<IRecoveryDb> Open() => new RecoveryDbBuilder().UseSqlite(path).BuildAsync();
            return new TestRecoveryDb(directory, null, await Open(), Open);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        if (_schema is not null)
        {
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Backends.PostgresConnectionString!) { Pooling = false }.ConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", admin);
            await drop.ExecuteNonQueryAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: left for the OS to clean.
        }
    }
}

/// <summary>A view server on ephemeral loopback ports over a test recovery DB, and clients for it.</summary>
public sealed class TestViewServer : IAsyncDisposable
{
    private TestViewServer(ViewServer server, IRecoveryDb db)
    {
        Server = server;
        ServerDb = db;
        Policy = new AttestationPolicy([server.EnclaveIdentity.Measurement], EnclaveProductId.View, trustedSimulationRoots: [server.SimulationRootPublicKey]);
    }

    public ViewServer Server { get; }

    public IRecoveryDb ServerDb { get; }

    public AttestationPolicy Policy { get; }

    public static ViewServerOptions Options(TestRecoveryDb db, ulong capacity = 4096) => new()
    {
        Listen = new FogEndpoint("127.0.0.1", 0),
        Admin = new FogEndpoint("127.0.0.1", 0),
        Metrics = new FogEndpoint("127.0.0.1", 0),
        SimulationRootPath = db.SimulationRootPath,
        ResponderId = "test-view:5200",
        OmapCapacity = capacity,
        BlockQueryBatchSize = 2,
        DbPollInterval = TimeSpan.FromMilliseconds(20),
        LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
    };

    /// <summary>Starts a server with its own DB connection (as a separate server process would have).</summary>
    public static async Task<TestViewServer> StartAsync(TestRecoveryDb db, ViewServerOptions? options = null, IRecoveryDb? serverDb = null)
    {
        serverDb ??= await db.OpenAnotherAsync();
        try
        {
            return new TestViewServer(await ViewServer.StartAsync(options ?? Options(db), serverDb), serverDb);
        }
        catch
        {
            await serverDb.DisposeAsync();
            throw;
        }
    }

    public FogViewClient NewClient() => new(Server.ClientUri, Server.ResponderId, Policy);

    /// <summary>Waits until the server has loaded everything below <paramref name="blockCount"/> (and is ready).</summary>
    public async Task WaitForBlockCountAsync(ulong blockCount, ulong? lastKnown = null)
    {
        await Server.CaughtUp.WaitAsync(TimeSpan.FromSeconds(60));
        await Eventually.HoldsAsync(
            () => Server.Progress.HighestProcessedBlockCount == blockCount && (lastKnown is null || Server.Progress.LastKnownBlockCount == lastKnown),
            () => $"highest processed {blockCount}{(lastKnown is null ? "" : $", last known {lastKnown}")} (now {Server.Progress})");
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await ServerDb.DisposeAsync();
    }
}

/// <summary>
/// Writes to the recovery DB exactly what ingest writes: an ingress key, invocations with fresh egress keys, and per
/// block one ETxOutRecord per TxOut — for a fog user, its next KexRng output under the egress key and a crypto box of
/// its TxOutRecord to the user's default-subaddress view key; for anyone else, chaff of the same size.
/// </summary>
public sealed class IngestSimulator(IRecoveryDb db)
{
    private readonly Dictionary<(long, string), ulong> _counters = [];

    public RistrettoPublic IngressKey { get; } = RistrettoPrivate.Generate().PublicKey;

    public ulong NextGlobalIndex { get; set; }

    public async Task<ulong> AddIngressKeyAsync(ulong startBlock = 0) => await db.NewIngressKeyAsync(IngressKey, startBlock);

    public async Task<Invocation> StartInvocationAsync(ulong startBlock, long? previous = null)
    {
        var egress = RistrettoPrivate.Generate();
        var id = await db.NewIngestInvocationAsync(previous, IngressKey, new KexRngPubkey(egress.PublicKey.ToArray(), 0), startBlock);
        return new Invocation(id, egress);
    }

    /// <summary>A TxOut paying <paramref name="recipient"/> (null: someone not using fog).</summary>
    public static TxOut Payment(AccountKey? recipient, ulong value)
    {
        using var txKey = RistrettoPrivate.Generate();
        using var stranger = recipient is null ? AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32)) : null;
        return TxOut.Create(BlockVersion.Max, new Amount(value, 0), (recipient ?? stranger!).DefaultSubaddress, txKey, FogHint.Fake());
    }

    /// <summary>Writes one block: a record per payment, in order; returns the records.</summary>
    public async Task<IReadOnlyList<ETxOutRecord>> AddBlockAsync(Invocation invocation, ulong blockIndex, params (AccountKey? Recipient, TxOut TxOut)[] payments)
    {
        var records = new List<ETxOutRecord>();
        var timestamp = 1_700_000_000 + blockIndex;
        foreach (var (recipient, txOut) in payments)
        {
            var record = TxOutRecord.FromTxOut(txOut, NextGlobalIndex++, blockIndex, timestamp).ToProtobuf();
            if (recipient is null)
            {
                records.Add(new ETxOutRecord(RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(VersionedCryptoBox.CiphertextSize(record.Length))));
                continue;
            }

            var viewPublic = recipient.DefaultSubaddress.ViewPublicKey;
            var secret = new byte[KexRng.SecretSize];
            invocation.Egress.KeyExchange(viewPublic, secret);
            var counterKey = (invocation.Id, Convert.ToHexString(secret));
            var counter = _counters.GetValueOrDefault(counterKey);
            _counters[counterKey] = counter + 1;
            var searchKey = new byte[KexRng.OutputSize];
            KexRng.Prf(secret, counter, searchKey);
            records.Add(new ETxOutRecord(searchKey, VersionedCryptoBox.Encrypt(viewPublic, record)));
        }

        var result = await db.AddBlockDataAsync(invocation.Id, blockIndex, NextGlobalIndex, timestamp, records);
        Assert.Equal(AddBlockDataStatus.Added, result.Status);
        return records;
    }

    public sealed record Invocation(long Id, RistrettoPrivate Egress);
}

/// <summary>
/// The client side of a balance check's search (reference/view.md §5.3), enough for tests: read the RNG records, then
/// walk each RNG until a search key is not found, and open every record found with the default-subaddress view key.
/// </summary>
public static class ViewSearch
{
    public static async Task<List<TxOutRecord>> FindRecordsAsync(FogViewClient client, AccountKey account, int keysPerRng = 3)
    {
        var events = await client.QueryAsync([], startFromUserEventId: 0);
        using var c0 = account.DefaultSubaddressViewPrivate();
        var found = new List<TxOutRecord>();
        foreach (var rngRecord in events.RngRecords)
        {
            Assert.Equal(KexRngError.None, KexRng.TryCreate(rngRecord.Pubkey, c0, out var rng));
            using (rng)
            {
                while (true)
                {
                    var keys = rng!.PeekAhead(keysPerRng);
                    var response = await client.QueryAsync(keys.Select(k => (ReadOnlyMemory<byte>)k).ToList());
                    var hits = 0;
                    foreach (var result in response.Results)
                    {
                        if (!result.IsFound)
                        {
                            break;
                        }

                        Assert.True(result.TryOpenRecord(c0, out var record), "a record found under my RNG opens with my view key");
                        found.Add(record);
                        rng.Advance();
                        hits++;
                    }

                    if (hits < keysPerRng)
                    {
                        break;
                    }
                }
            }
        }

        return found;
    }
}
