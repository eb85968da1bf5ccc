using System.Data.Common;
using Fog.Storage.Recovery;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Fog.Storage.Tests.Support;

/// <summary>
/// A fresh recovery DB for one test: a SQLite file in a new temporary directory, or a new schema in the
/// PostgreSQL test database (so tests run in parallel without seeing each other). Migrated at creation;
/// removed on dispose. Raw connections let tests inspect rows and inject faults.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly List<IRecoveryDb> _others = [];
    private readonly string? _directory;
    private readonly string? _schema;
    private readonly RecoveryDbRetryPolicy _retry;

    private TestDatabase(string backend, string location, string? directory, string? schema, RecoveryDbRetryPolicy retry)
    {
        Backend = backend;
        Location = location;
        _directory = directory;
        _schema = schema;
        _retry = retry;
    }

    public string Backend { get; }

    /// <summary>The SQLite file, or the PostgreSQL connection string (with this test's search path).</summary>
    public string Location { get; }

    public bool IsPostgres => Backend == Backends.Postgres;

    public ManualClock Clock { get; } = new();

    public IRecoveryDb Db { get; private set; } = null!;

    /// <summary>A database for <paramref name="backend"/>; skips the test if that backend is not available.</summary>
    public static async Task<TestDatabase> CreateAsync(string backend, RecoveryDbRetryPolicy? retry = null, bool migrate = true)
    {
        TestDatabase database;
        if (backend == Backends.Postgres)
        {
            var server = Backends.RequirePostgres();
            var schema = "t_" + Guid.NewGuid().ToString("N");
            await using (var admin = new NpgsqlConnection(Unpooled(server)))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", admin);
                await create.ExecuteNonQueryAsync();
            }

            var location = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
            database = new TestDatabase(backend, location, null, schema, retry ?? RecoveryDbRetryPolicy.Default);
        }
        else
        {
            var directory = Directory.CreateTempSubdirectory("fog-recovery-db-").FullName;
            database = new TestDatabase(backend, Path.Combine(directory, "recovery.db"), directory, null, retry ?? RecoveryDbRetryPolicy.Default);
        }

        if (migrate)
        {
            database.Db = await database.Builder().BuildAsync();
        }

        return database;
    }

    /// <summary>A builder for this database (same clock and retry policy); on PostgreSQL, optionally with an application name to find its sessions.</summary>
    public RecoveryDbBuilder Builder(string? applicationName = null, RecoveryDbRetryPolicy? retry = null)
    {
        var builder = new RecoveryDbBuilder().UseTimeProvider(Clock).UseRetryPolicy(retry ?? _retry);
        return IsPostgres
            ? builder.UsePostgres(new NpgsqlConnectionStringBuilder(Location) { ApplicationName = applicationName }.ConnectionString)
            : builder.UseSqlite(Location);
    }

    /// <summary>Another client of the same database (another "server"), disposed with this one.</summary>
    public async Task<IRecoveryDb> OpenAnotherAsync(string? applicationName = null, RecoveryDbRetryPolicy? retry = null)
    {
        var db = await Builder(applicationName, retry).BuildAsync();
        _others.Add(db);
        return db;
    }

    /// <summary>A plain connection to the same database, outside the recovery DB code.</summary>
    public async Task<DbConnection> OpenRawAsync()
    {
        DbConnection connection = IsPostgres
            ? new NpgsqlConnection(Unpooled(Location))
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Location, Pooling = false, DefaultTimeout = 60 }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    public async Task<int> ExecuteRawAsync(string sql)
    {
        await using var connection = await OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarRawAsync(string sql)
    {
        await using var connection = await OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public async Task<long> CountRowsAsync(string table, string where = "TRUE") =>
        Convert.ToInt64(await ScalarRawAsync($"SELECT COUNT(*) FROM {table} WHERE {where}"), System.Globalization.CultureInfo.InvariantCulture);

    // Plain connections are never pooled, so a server restart in one test leaves no dead connection for another.
    private static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        foreach (var other in _others)
        {
            await other.DisposeAsync();
        }

        if (Db is not null)
        {
            await Db.DisposeAsync();
        }

        if (_schema is not null)
        {
            await using var admin = new NpgsqlConnection(Unpooled(Backends.PostgresConnectionString!));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", admin);
            await drop.ExecuteNonQueryAsync();
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere: the temp directory is left for the OS to clean.
            }
        }
    }
}
