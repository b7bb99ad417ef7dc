using System.Diagnostics;
using System.Globalization;
using Npgsql;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// The benchmark's own databases on the local clusters (never the tests' ones): connection strings, dropping and
/// creating them (subscriptions and slots first, which would otherwise block the drop), small queries, and the
/// Postgres client programs (pgbench, pg_dump, psql) run against them.
/// </summary>
internal static class BenchPostgres
{
    /// <summary>The harness's own sessions carry this name, so the resource sampler can leave them out.</summary>
    public const string HarnessApplicationName = "bench-harness";

    public static string Source(string database) => Connection(TestServers.Postgres, database);

    public static string Destination(string database) => Connection(TestServers.PostgresDestination, database);

    /// <summary>A connection string without pooling: the session ends (and flushes its statistics) when closed.</summary>
    public static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static string Connection(string server, string database) =>
        new NpgsqlConnectionStringBuilder(server) { Database = database, ApplicationName = HarnessApplicationName, CommandTimeout = 0 }.ConnectionString;

    /// <summary>Drops <paramref name="database"/> (its subscriptions and the slots they or anyone else hold on it first) and creates it empty.</summary>
    public static async Task RecreateAsync(string server, string database)
    {
        await DropAsync(server, database);
        await ExecuteAsync(Connection(server, "postgres"), $"CREATE DATABASE {Quote(database)}");
    }

    public static async Task DropAsync(string server, string database)
    {
        var admin = Connection(server, "postgres");
        var subscriptions = await QueryAsync(admin, "SELECT s.subname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid WHERE d.datname = $1", r => r.GetString(0), database);
        foreach (var subscription in subscriptions)
        {
            // Detach the remote slot first: the source database may be gone already; its slot is dropped below.
            var inDatabase = Connection(server, database);
            await ExecuteAsync(inDatabase, $"ALTER SUBSCRIPTION {Quote(subscription)} DISABLE");
            await ExecuteAsync(inDatabase, $"ALTER SUBSCRIPTION {Quote(subscription)} SET (slot_name = NONE)");
            await ExecuteAsync(inDatabase, $"DROP SUBSCRIPTION {Quote(subscription)}");
        }

        await Eventually.WaitAsync(
            async () =>
            {
                var slots = await QueryAsync(admin, "SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = $1", r => (r.GetString(0), r.IsDBNull(1) ? (int?)null : r.GetInt32(1)), database);
                foreach (var (slot, pid) in slots)
                {
                    if (pid is { } active)
                    {
                        await ExecuteAsync(admin, "SELECT pg_terminate_backend($1)", active);
                    }
                    else
                    {
                        await ExecuteAsync(admin, "SELECT pg_drop_replication_slot($1)", slot);
                    }
                }

                return slots.Count == 0;
            },
            TimeSpan.FromSeconds(30),
            () => $"the replication slots of {database} to be dropped");
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Quote(database)} WITH (FORCE)");
    }

    public static async Task ExecuteAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    public static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }

    /// <summary>Copies the schema (tables, keys, sequences) of a source database to a destination database, as native replication needs.</summary>
    public static async Task CopySchemaAsync(string sourceDatabase, string destinationDatabase)
    {
        var schema = await RunToolAsync("pg_dump", [.. ToolArguments(TestServers.Postgres, sourceDatabase), "--schema-only", "--no-publications", "--no-subscriptions"]);
        await RunToolAsync("psql", [.. ToolArguments(TestServers.PostgresDestination, destinationDatabase), "-X", "-q", "-v", "ON_ERROR_STOP=1"], stdin: schema);
    }

    /// <summary>-h/-p/-U/-d of a database on the server of <paramref name="server"/>, for the Postgres client programs.</summary>
    public static string[] ToolArguments(string server, string database)
    {
        var builder = new NpgsqlConnectionStringBuilder(server);
        return ["-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username ?? "postgres", "-d", database];
    }

    /// <summary>Runs a client program to its end; returns its standard output, throws with its error output when it fails.</summary>
    public static async Task<string> RunToolAsync(string program, string[] arguments, string? stdin = null)
    {
        using var process = StartTool(program, arguments, redirectInput: stdin is not null);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
        }

        return await output + await error;
    }

    public static Process StartTool(string program, string[] arguments, bool redirectInput = false)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = redirectInput };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
