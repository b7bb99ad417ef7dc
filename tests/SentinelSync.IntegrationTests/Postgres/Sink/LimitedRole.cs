using Npgsql;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>
/// A login role that owns one test database but is no superuser: it may create schemas, tables and trusted
/// extensions there, not untrusted ones. Dropped (with what it owns) on dispose.
/// </summary>
internal sealed class LimitedRole : IAsyncDisposable
{
    private readonly PostgresDatabase _database;

    private LimitedRole(PostgresDatabase database, string name)
    {
        _database = database;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<LimitedRole> CreateAsync(PostgresDatabase database)
    {
        // Roles are per cluster: named after the database, which is unique per test run.
        var name = "lim_" + database.Name[..Math.Min(database.Name.Length, 50)];
        var role = new LimitedRole(database, name);
        await database.ExecuteAsAdminAsync($"DROP ROLE IF EXISTS \"{name}\"");
        await database.ExecuteAsAdminAsync($"CREATE ROLE \"{name}\" LOGIN NOSUPERUSER");
        await database.ExecuteAsAdminAsync($"ALTER DATABASE \"{database.Name}\" OWNER TO \"{name}\"");
        return role;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        await _database.ExecuteAsAdminAsync($"ALTER DATABASE \"{_database.Name}\" OWNER TO postgres");
        await _database.ExecuteAsync($"REASSIGN OWNED BY \"{Name}\" TO postgres; DROP OWNED BY \"{Name}\"");
        await _database.ExecuteAsAdminAsync($"DROP ROLE IF EXISTS \"{Name}\"");
    }
}
