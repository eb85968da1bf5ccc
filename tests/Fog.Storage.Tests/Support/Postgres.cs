using System.Data.Common;

namespace Fog.Storage.Tests.Support;

/// <summary>Helpers for tests that watch or control the PostgreSQL test server.</summary>
public static class Postgres
{
    public static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>True when a session with this application name is waiting for a lock.</summary>
    public static async Task<bool> IsWaitingOnLockAsync(TestDatabase database, string applicationName) =>
        Convert.ToInt64(
            await database.ScalarRawAsync($"SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '{applicationName}' AND wait_event_type = 'Lock'"),
            System.Globalization.CultureInfo.InvariantCulture) > 0;

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test if it does not within a minute.</summary>
    public static async Task WaitUntilAsync(TestDatabase database, Func<Task<bool>> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(database);
        for (var i = 0; i < 3000; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"Timed out waiting for {what}.");
    }
}
