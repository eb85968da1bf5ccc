using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace Fog.Storage.Recovery.Sql;

/// <summary>
/// PostgreSQL through a pooled <see cref="NpgsqlDataSource"/>; READ COMMITTED transactions with explicit row
/// locks, and advisory locks where ordering matters (migrations, user-event ids).
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    // Advisory lock classes ("FogM", "FogE"); the second key is the schema, so databases in different schemas do not contend.
    private const int MigrationsLockClass = 0x466F674D;
    private const int UserEventsLockClass = 0x466F6745;
    private const string LockSql = "SELECT pg_advisory_xact_lock(@class, hashtext(COALESCE(current_schema(), '')))";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    public PostgresDialect(NpgsqlDataSource dataSource, bool ownsDataSource)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
    }

    public override string Name => "postgres";

    public override IReadOnlyList<Migration> Migrations => RecoveryDbMigrations.Postgres;

    public override string CreateMigrationTableSql =>
        "CREATE TABLE IF NOT EXISTS fog_schema_migrations (version INT NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)";

    public override string MigrationTableExistsSql => "SELECT 1 WHERE to_regclass('fog_schema_migrations') IS NOT NULL";

    public override string LockRowsClause => " FOR NO KEY UPDATE";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    public override Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        AdvisoryLockAsync(connection, transaction, MigrationsLockClass, cancellationToken);

    public override Task LockUserEventsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        AdvisoryLockAsync(connection, transaction, UserEventsLockClass, cancellationToken);

    public override object TimeValue(DateTimeOffset time) => FromUnixMicroseconds(ToUnixMicroseconds(time)).UtcDateTime;

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc));

    public override RecoveryDbError? Classify(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable } => RecoveryDbError.Busy,
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections } => RecoveryDbError.Unavailable,
        PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal) => RecoveryDbError.Unavailable, // connection exceptions
        NpgsqlException n => n.IsTransient ? RecoveryDbError.Unavailable : RecoveryDbError.Failed,
        IOException or SocketException or TimeoutException => RecoveryDbError.Unavailable,
        _ => null,
    };

    public override void OnConnectionFailure() => _dataSource.Clear();

    public override async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task AdvisoryLockAsync(DbConnection connection, DbTransaction transaction, int lockClass, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = LockSql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "class";
        parameter.Value = lockClass;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
