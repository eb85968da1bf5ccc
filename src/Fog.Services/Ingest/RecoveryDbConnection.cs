using System.Diagnostics.CodeAnalysis;
using Fog.Storage.Recovery;

namespace Fog.Services.Ingest;

/// <summary>
/// Which recovery database a Fog service uses: a SQLite file (the embedded default) or a PostgreSQL server. Written
/// on command lines as <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;Npgsql connection string&gt;</c>.
/// </summary>
/// <param name="SqlitePath">The SQLite file, or null.</param>
/// <param name="PostgresConnectionString">The PostgreSQL connection string, or null.</param>
public sealed record RecoveryDbConnection(string? SqlitePath, string? PostgresConnectionString)
{
    /// <summary>A SQLite file.</summary>
    public static RecoveryDbConnection Sqlite(string path) => new(path, null);

    /// <summary>A PostgreSQL server.</summary>
    public static RecoveryDbConnection Postgres(string connectionString) => new(null, connectionString);

    /// <summary>Parses <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;connection string&gt;</c>; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out RecoveryDbConnection? connection, [NotNullWhen(false)] out string? error)
    {
        connection = null;
        var value = text?.Trim() ?? "";
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) && value.Length > "sqlite:".Length)
        {
            connection = Sqlite(value["sqlite:".Length..]);
        }
        else if (value.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase) && value.Length > "postgres:".Length)
        {
            connection = Postgres(value["postgres:".Length..]);
        }

        error = connection is null ? $"'{text}' is not a recovery database: use sqlite:<file> or postgres:<connection string> (e.g. postgres:Host=db;Database=fog;Username=fog)" : null;
        return connection is not null;
    }

    /// <summary>Opens the database and applies pending migrations.</summary>
    /// <exception cref="RecoveryDbException">It is unreachable or its schema is unusable.</exception>
    public Task<IRecoveryDb> OpenAsync(CancellationToken cancellationToken = default)
    {
        var builder = new RecoveryDbBuilder();
        builder = SqlitePath is { } path ? builder.UseSqlite(path) : builder.UsePostgres(PostgresConnectionString ?? throw new InvalidOperationException("No recovery database was configured."));
        return builder.BuildAsync(cancellationToken);
    }

    /// <summary>Names the database without its password.</summary>
    public override string ToString() =>
        SqlitePath is { } path ? $"sqlite:{Path.GetFullPath(path)}" : $"postgres:{Redact(PostgresConnectionString ?? "")}";

    private static string Redact(string connectionString)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = "***";
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }
}
