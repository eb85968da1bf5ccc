using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Fog.Storage.Recovery.Sql;

/// <summary>
/// SQLite: one database file in WAL mode (readers never block the writer), foreign keys on, full fsync on
/// commit. Write transactions start with BEGIN IMMEDIATE, so writers are serialised by the database lock and
/// wait up to the busy timeout for each other.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;

    public SqliteDialect(string path, TimeSpan busyTimeout)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
    }

    public override string Name => "sqlite";

    public override IReadOnlyList<Migration> Migrations => RecoveryDbMigrations.Sqlite;

    public override string CreateMigrationTableSql =>
        "CREATE TABLE IF NOT EXISTS fog_schema_migrations (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)";

    public override string MigrationTableExistsSql => "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fog_schema_migrations'";

    public override string LockRowsClause => "";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override async Task PrepareForMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new RecoveryDbException(RecoveryDbError.Failed, $"The SQLite recovery DB cannot use write-ahead logging (journal mode is '{mode}').");
        }
    }

    public override object TimeValue(DateTimeOffset time) => ToUnixMicroseconds(time);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => FromUnixMicroseconds(reader.GetInt64(ordinal));

    public override RecoveryDbError? Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 5 or 6 } => RecoveryDbError.Busy, // SQLITE_BUSY, SQLITE_LOCKED
        SqliteException { SqliteErrorCode: 11 or 26 } => RecoveryDbError.CorruptData, // SQLITE_CORRUPT, SQLITE_NOTADB
        SqliteException => RecoveryDbError.Failed,
        _ => null,
    };

    public override ValueTask DisposeAsync()
    {
        // Close this database's pooled connections, releasing the file.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
