using System.CommandLine;
using Fog.Storage.Recovery;

namespace Fog.Cli.Commands;

/// <summary><c>fog db …</c>: recovery database administration.</summary>
internal static class DbCommands
{
    internal static Command Build()
    {
        var db = new Command("db", "Administer the recovery database (SQLite or PostgreSQL).");
        db.Subcommands.Add(Migrate());
        return db;
    }

    private static Command Migrate()
    {
        var sqlite = new Option<string>("--sqlite") { Description = "A SQLite recovery DB file (created if missing)." };
        var postgres = new Option<string>("--postgres") { Description = "A PostgreSQL connection string, e.g. \"Host=db;Database=fog;Username=fog;Password=...\"." };
        var command = new Command("migrate", "Apply pending recovery DB schema migrations and print the schema version.") { sqlite, postgres };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(sqlite);
            var connectionString = parse.GetValue(postgres);
            if ((path is null) == (connectionString is null))
            {
                throw new CliException("db migrate: give exactly one of --sqlite <path> or --postgres <connection string>");
            }

            var builder = new RecoveryDbBuilder();
            try
            {
                if (path is not null)
                {
                    builder.UseSqlite(path);
                }
                else
                {
                    builder.UsePostgres(connectionString!);
                }
            }
            catch (ArgumentException e)
            {
                throw CliException.BadArgument(path is not null ? "--sqlite" : "--postgres", e.Message);
            }

            RecoveryDbSchemaInfo info;
            try
            {
                info = builder.MigrateAsync().GetAwaiter().GetResult();
            }
            catch (RecoveryDbException e)
            {
                throw new CliException(e.Message, FogCommand.Failure);
            }

            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteString("backend", info.Backend);
                json.WriteNumber("previous_schema_version", info.PreviousVersion);
                json.WriteNumber("schema_version", info.Version);
                json.WriteStartArray("applied_migrations");
                foreach (var version in info.Applied)
                {
                    json.WriteNumberValue(version);
                }

                json.WriteEndArray();
            });
        });
        return command;
    }
}
