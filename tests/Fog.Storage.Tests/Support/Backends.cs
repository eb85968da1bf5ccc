namespace Fog.Storage.Tests.Support;

/// <summary>
/// The registry of recovery DB implementations: every conformance test is a theory over <see cref="All"/>,
/// so each backend runs the same tests. PostgreSQL runs where <c>FOG_TEST_POSTGRES</c> is set (.ci/run
/// starts a throwaway server) and is reported as skipped otherwise.
/// </summary>
public static class Backends
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static TheoryData<string> All => [Sqlite, Postgres];

    /// <summary>The test server's connection string, or null.</summary>
    public static string? PostgresConnectionString =>
        Environment.GetEnvironmentVariable("FOG_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    /// <summary>Skips the calling test when PostgreSQL is not configured.</summary>
    public static string RequirePostgres()
    {
        var connectionString = PostgresConnectionString;
        Skip.If(connectionString is null, "FOG_TEST_POSTGRES is not set: the PostgreSQL recovery DB tests need a server (.ci/run starts one).");
        return connectionString!;
    }
}
