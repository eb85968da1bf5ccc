using Fog.Services.Ingest;
using Fog.Storage.Recovery;
using Npgsql;

namespace Fog.Services.Tests.Ingest.Support;

/// <summary>
/// A fresh recovery DB for one test: a SQLite file in the test's directory, or a new schema in the PostgreSQL test
/// server named by <c>FOG_TEST_POSTGRES</c> (set by .ci/run). Without that variable, PostgreSQL cases are skipped.
/// </summary>
internal sealed class IngestTestDatabase : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private readonly string? _schema;
    private readonly string? _server;

    private IngestTestDatabase(RecoveryDbConnection connection, IRecoveryDb db, string? server, string? schema)
    {
        Connection = connection;
        Db = db;
        _server = server;
        _schema = schema;
    }

    public static TheoryData<string> Backends => [Sqlite, Postgres];

    /// <summary>How servers and tools reach this database.</summary>
    public RecoveryDbConnection Connection { get; }

    /// <summary>A client the test uses to inspect and change the database (another "server").</summary>
    public IRecoveryDb Db { get; }

    public static async Task<IngestTestDatabase> CreateAsync(string backend, string directory)
    {
        if (backend == Sqlite)
        {
            var connection = RecoveryDbConnection.Sqlite(Path.Combine(directory, "recovery.db"));
            return new IngestTestDatabase(connection, await connection.OpenAsync(), null, null);
        }

        var server = Environment.GetEnvironmentVariable("FOG_TEST_POSTGRES");
        Skip.If(string.IsNullOrEmpty(server), "FOG_TEST_POSTGRES is not set: the PostgreSQL ingest tests need a server (.ci/run starts one).");
        var schema = "ingest_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var postgres = RecoveryDbConnection.Postgres(new NpgsqlConnectionStringBuilder(server) { SearchPath = schema, Pooling = true }.ConnectionString);
        return new IngestTestDatabase(postgres, await postgres.OpenAsync(), server, schema);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        if (_schema is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA {_schema} CASCADE", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
