using Fog.Storage.Recovery.Sql;
using Npgsql;

namespace Fog.Storage.Recovery;

/// <summary>
/// Builds an <see cref="IRecoveryDb"/>: choose a backend with <see cref="UseSqlite"/> (the embedded default)
/// or <see cref="UsePostgres(string)"/> (production), then <see cref="BuildAsync"/>, which applies pending
/// schema migrations at start-up unless <see cref="MigrateOnStart"/> turned that off.
/// </summary>
/// <example>
/// <code>
/// await using var db = await new RecoveryDbBuilder().UseSqlite("/var/lib/fog/recovery.db").BuildAsync();
/// var start = await db.NewIngressKeyAsync(ingressKey, startBlockCount: 0);
/// var iid = await db.NewIngestInvocationAsync(null, ingressKey, egressPubkey, start);
/// var result = await db.AddBlockDataAsync(iid, blockIndex: start, cumulativeTxoCount: 12, signatureTimestamp: 1_700_000_000, records);
/// if (result.BlockAlreadyScannedWithThisKey) { /* another server holds this key's block: stand down */ }
/// </code>
/// </example>
public sealed class RecoveryDbBuilder
{
    private Func<SqlDialect>? _dialect;
    private TimeProvider _time = TimeProvider.System;
    private RecoveryDbRetryPolicy _retry = RecoveryDbRetryPolicy.Default;
    private bool _migrateOnStart = true;

    /// <summary>The default time SQLite writers wait for each other before a transient <see cref="RecoveryDbError.Busy"/>: 30 s.</summary>
    public static TimeSpan DefaultSqliteBusyTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Uses a SQLite database file (created if missing) in write-ahead-log mode. Several processes may open
    /// the same file; writers take turns.
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="busyTimeout">How long a writer waits for another; default <see cref="DefaultSqliteBusyTimeout"/>.</param>
    public RecoveryDbBuilder UseSqlite(string path, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var timeout = busyTimeout ?? DefaultSqliteBusyTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(busyTimeout));
        var fullPath = Path.GetFullPath(path);
        _dialect = () => new SqliteDialect(fullPath, timeout);
        return this;
    }

    /// <summary>Uses PostgreSQL with Npgsql's connection pool (pool size and timeouts come from the connection string).</summary>
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=db;Database=fog;Username=fog;Password=…</c>.</param>
    /// <exception cref="ArgumentException">The connection string is malformed.</exception>
    public RecoveryDbBuilder UsePostgres(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // fail now on a malformed string
        _dialect = () => new PostgresDialect(new NpgsqlDataSourceBuilder(connectionString).Build(), ownsDataSource: true);
        return this;
    }

    /// <summary>Uses PostgreSQL through a data source the caller owns (and disposes after the recovery DB).</summary>
    public RecoveryDbBuilder UsePostgres(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dialect = () => new PostgresDialect(dataSource, ownsDataSource: false);
        return this;
    }

    /// <summary>The clock for last-active times. Default: <see cref="TimeProvider.System"/>.</summary>
    public RecoveryDbBuilder UseTimeProvider(TimeProvider timeProvider)
    {
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        return this;
    }

    /// <summary>How transient failures are retried inside a call. Default: <see cref="RecoveryDbRetryPolicy.Default"/>.</summary>
    public RecoveryDbBuilder UseRetryPolicy(RecoveryDbRetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        _retry = policy;
        return this;
    }

    /// <summary>
    /// Whether <see cref="BuildAsync"/> applies pending migrations (default true). When false, it only checks
    /// that the schema is current and fails with <see cref="RecoveryDbError.SchemaOutOfDate"/> otherwise, for
    /// operators who migrate by hand (<c>fog db migrate</c>).
    /// </summary>
    public RecoveryDbBuilder MigrateOnStart(bool migrate)
    {
        _migrateOnStart = migrate;
        return this;
    }

    /// <summary>Opens the database, applies or checks migrations, and returns it.</summary>
    /// <exception cref="InvalidOperationException">No backend was chosen.</exception>
    /// <exception cref="RecoveryDbException">The database is unreachable or its schema is unusable.</exception>
    public async Task<IRecoveryDb> BuildAsync(CancellationToken cancellationToken = default)
    {
        var db = Create();
        try
        {
            if (_migrateOnStart)
            {
                await db.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await db.CheckSchemaAsync(cancellationToken).ConfigureAwait(false);
            }

            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Applies pending migrations and reports the schema version (what <c>fog db migrate</c> does).</summary>
    /// <exception cref="InvalidOperationException">No backend was chosen.</exception>
    /// <exception cref="RecoveryDbException">The database is unreachable or its schema is newer than this program.</exception>
    public async Task<RecoveryDbSchemaInfo> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var db = Create();
        await using (db.ConfigureAwait(false))
        {
            return await db.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private SqlRecoveryDb Create() =>
        new(_dialect?.Invoke() ?? throw new InvalidOperationException("Choose a backend first: UseSqlite(…) or UsePostgres(…)."), _time, _retry);
}
