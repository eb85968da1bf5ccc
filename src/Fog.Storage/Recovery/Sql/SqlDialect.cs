using System.Data.Common;

namespace Fog.Storage.Recovery.Sql;

/// <summary>A versioned schema change: applied once, in order, never edited after release.</summary>
/// <param name="Version">The schema version it produces.</param>
/// <param name="Description">What it does.</param>
/// <param name="Sql">The statements.</param>
internal sealed record Migration(int Version, string Description, string Sql);

/// <summary>What differs between the SQL backends; everything else (queries, semantics) is shared in <see cref="SqlRecoveryDb"/>.</summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>The backend's name for messages.</summary>
    public abstract string Name { get; }

    /// <summary>The schema history, oldest first.</summary>
    public abstract IReadOnlyList<Migration> Migrations { get; }

    /// <summary>SQL that creates the migration history table if it is missing.</summary>
    public abstract string CreateMigrationTableSql { get; }

    /// <summary>SQL returning one row if the migration history table exists.</summary>
    public abstract string MigrationTableExistsSql { get; }

    /// <summary>Appended to a SELECT that locks the rows it reads until commit ("" where writers are serialised anyway).</summary>
    public abstract string LockRowsClause { get; }

    /// <summary>An open connection, ready for statements.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Starts a write transaction.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Called on a fresh connection before migrating (settings that cannot change inside a transaction).</summary>
    public virtual Task PrepareForMigrationAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serialises migrations of the same database until the transaction ends.</summary>
    public virtual Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Serialises writers of user events until the transaction ends, so that event ids (the clients' cursor)
    /// become visible in id order.
    /// </summary>
    public virtual Task LockUserEventsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The parameter value for a time, truncated to whole microseconds.</summary>
    public abstract object TimeValue(DateTimeOffset time);

    /// <summary>Reads a time column.</summary>
    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>The kind of a backend exception, or null if it is not a database failure (a bug, rethrown as is).</summary>
    public abstract RecoveryDbError? Classify(Exception exception);

    /// <summary>Called after a connection-level failure: drop pooled connections that may be dead.</summary>
    public virtual void OnConnectionFailure()
    {
    }

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>Whole microseconds since the Unix epoch.</summary>
    protected static long ToUnixMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>The time <paramref name="microseconds"/> after the Unix epoch, in UTC.</summary>
    protected static DateTimeOffset FromUnixMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10);
}
