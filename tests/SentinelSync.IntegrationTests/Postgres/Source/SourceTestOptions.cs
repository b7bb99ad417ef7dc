using Npgsql;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Source;

/// <summary>Options pointing at a test database, with publication and slot names derived from it.</summary>
internal static class SourceTestOptions
{
    public static PostgresSourceOptions For(PostgresDatabase database, params string[] tables) => new()
    {
        Connection = database.ConnectionString,
        Publication = "pub_" + database.Name,
        Slot = SlotName(database),
        Tables = [.. tables],
    };

    // Slot names must be unique in the cluster: the database name is. The fixture drops the slots on dispose.
    public static string SlotName(PostgresDatabase database) => ("s_" + database.Name)[..Math.Min(63, database.Name.Length + 2)];

    public static string WithUser(string connectionString, string user) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = user, Pooling = false }.ConnectionString;
}
