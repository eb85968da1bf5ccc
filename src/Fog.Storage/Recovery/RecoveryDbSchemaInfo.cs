namespace Fog.Storage.Recovery;

/// <summary>The outcome of applying or checking schema migrations.</summary>
/// <param name="Backend">"sqlite" or "postgres".</param>
/// <param name="PreviousVersion">The schema version found (0 for an empty database).</param>
/// <param name="Version">The schema version now.</param>
/// <param name="Applied">The migrations applied by this call, in order (empty when already current).</param>
public sealed record RecoveryDbSchemaInfo(string Backend, int PreviousVersion, int Version, IReadOnlyList<int> Applied)
{
    /// <summary>The schema version this program uses.</summary>
    public static int CurrentVersion => Sql.RecoveryDbMigrations.Latest;
}
