using System.Security.Cryptography;
using System.Text;
using Fog.Cli;
using Fog.Storage.Recovery;
using Fog.Storage.Recovery.Sql;
using Fog.Storage.Tests.Support;

namespace Fog.Storage.Tests.Recovery;

/// <summary>Versioned schema migrations, applied at start-up or by <c>fog db migrate</c>.</summary>
public sealed class MigrationTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_new_database_is_migrated_to_the_current_version_and_migrating_again_applies_nothing(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend, migrate: false);

        var first = await t.Builder().MigrateAsync();
        var second = await t.Builder().MigrateAsync();

        Assert.Equal(new { Backend = backend, From = 0, To = RecoveryDbSchemaInfo.CurrentVersion }, new { first.Backend, From = first.PreviousVersion, To = first.Version });
        Assert.Equal(Enumerable.Range(1, RecoveryDbSchemaInfo.CurrentVersion), first.Applied);
        Assert.Equal(RecoveryDbSchemaInfo.CurrentVersion, second.PreviousVersion);
        Assert.Empty(second.Applied);
        Assert.Equal(RecoveryDbSchemaInfo.CurrentVersion, await t.CountRowsAsync("fog_schema_migrations"));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Concurrent_start_ups_apply_each_migration_exactly_once(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend, migrate: false);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => t.Builder().MigrateAsync())));

        Assert.Single(results, r => r.Applied.Count > 0);
        Assert.All(results, r => Assert.Equal(RecoveryDbSchemaInfo.CurrentVersion, r.Version));
        Assert.Equal(RecoveryDbSchemaInfo.CurrentVersion, await t.CountRowsAsync("fog_schema_migrations"));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_database_with_a_newer_schema_than_the_program_is_refused(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend, migrate: false);
        await t.Builder().MigrateAsync();
        await t.ExecuteRawAsync(t.IsPostgres
            ? "INSERT INTO fog_schema_migrations (version, description, applied_at) VALUES (99, 'from the future', now())"
            : "INSERT INTO fog_schema_migrations (version, description, applied_at) VALUES (99, 'from the future', 0)");

        var onStart = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Builder().BuildAsync());
        var checkOnly = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Builder().MigrateOnStart(false).BuildAsync());

        Assert.Equal(RecoveryDbError.SchemaTooNew, onStart.Error);
        Assert.Equal(RecoveryDbError.SchemaTooNew, checkOnly.Error);
        Assert.False(onStart.IsTransient);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Without_migrate_on_start_an_unmigrated_database_is_refused_until_migrated(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend, migrate: false);

        var error = await Assert.ThrowsAsync<RecoveryDbException>(() => t.Builder().MigrateOnStart(false).BuildAsync());
        Assert.Equal(RecoveryDbError.SchemaOutOfDate, error.Error);
        Assert.Contains("fog db migrate", error.Message, StringComparison.Ordinal);

        await t.Builder().MigrateAsync();
        await using var db = await t.Builder().MigrateOnStart(false).BuildAsync();
        Assert.Null(await db.GetHighestKnownBlockIndexAsync());
    }

    [Fact]
    public async Task The_sqlite_database_is_one_file_in_write_ahead_log_mode()
    {
        await using var t = await TestDatabase.CreateAsync(Backends.Sqlite);

        Assert.Equal("wal", await t.ScalarRawAsync("PRAGMA journal_mode"));
        Assert.True(File.Exists(t.Location));
    }

    [Fact]
    public void Both_backends_number_their_migrations_from_one_without_gaps_and_end_at_the_current_version()
    {
        foreach (var migrations in new[] { RecoveryDbMigrations.Sqlite, RecoveryDbMigrations.Postgres })
        {
            Assert.Equal(Enumerable.Range(1, RecoveryDbSchemaInfo.CurrentVersion), migrations.Select(m => m.Version));
        }

        Assert.Equal(RecoveryDbMigrations.Sqlite.Select(m => m.Description), RecoveryDbMigrations.Postgres.Select(m => m.Description));
    }

    [Fact]
    public void Released_migrations_are_never_edited()
    {
        // Databases in the field have run these exact statements. Change the schema by appending a migration.
        var hashes = RecoveryDbMigrations.Sqlite.Select(m => $"sqlite {m.Version} {Hash(m.Sql)}")
            .Concat(RecoveryDbMigrations.Postgres.Select(m => $"postgres {m.Version} {Hash(m.Sql)}"));

        Assert.Equal(
            [
                "sqlite 1 9a22404836fe13ab07e9f768fe3f59c5f57351f011372ed475772099296faf0c",
                "postgres 1 d724ee8276918b1be0b3dada46f30aab118a8b0adf8ebc4e7dc6d76e88270132",
            ],
            hashes);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Fog_db_migrate_applies_migrations_and_prints_the_schema_version(string backend)
    {
        await using var t = await TestDatabase.CreateAsync(backend, migrate: false);
        string[] args = ["db", "migrate", t.IsPostgres ? "--postgres" : "--sqlite", t.Location];

        var (first, firstOutput, firstError) = RunFog(args);
        var (second, secondOutput, _) = RunFog(args);

        Assert.Equal(FogCommand.Success, first);
        Assert.Equal("", firstError);
        Assert.Contains($"\"backend\": \"{backend}\"", firstOutput, StringComparison.Ordinal);
        Assert.Contains($"\"schema_version\": {RecoveryDbSchemaInfo.CurrentVersion}", firstOutput, StringComparison.Ordinal);
        Assert.Contains("\"previous_schema_version\": 0", firstOutput, StringComparison.Ordinal);
        Assert.Equal(FogCommand.Success, second);
        Assert.Contains("\"applied_migrations\": []", secondOutput, StringComparison.Ordinal);
        await using var db = await t.Builder().MigrateOnStart(false).BuildAsync(); // the schema is current
    }

    [Theory]
    [InlineData("db", "migrate")]
    [InlineData("db", "migrate", "--sqlite", "a.db", "--postgres", "Host=x")]
    public void Fog_db_migrate_needs_exactly_one_backend(params string[] args)
    {
        var (code, output, error) = RunFog(args);

        Assert.Equal(FogCommand.BadInput, code);
        Assert.Equal("", output);
        Assert.Equal("fog: error: db migrate: give exactly one of --sqlite <path> or --postgres <connection string>", error.TrimEnd());
    }

    [Fact]
    public void Fog_db_migrate_reports_an_unreachable_server_as_a_failure_on_one_line()
    {
        var (code, _, error) = RunFog(["db", "migrate", "--postgres", "Host=127.0.0.1;Port=1;Timeout=2"]);

        Assert.Equal(FogCommand.Failure, code);
        Assert.StartsWith("fog: error: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    private static (int Code, string Output, string Error) RunFog(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = FogCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Hash(string sql) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
}
