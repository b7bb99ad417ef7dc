using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;

namespace SentinelSync.Testing;

/// <summary>
/// A fresh Postgres database for one test. <see cref="CreateAsync"/> drops any leftover database
/// of the same name (and its replication slots) before creating it; <see cref="DisposeAsync"/>
/// drops it again, terminating its connections and dropping the replication slots that belong
/// to it, so that neither databases nor slots (which pin WAL) pile up on the server.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private const string SlotsOfDatabaseSql = "SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = $1";
    private const string TerminateBackendSql = "SELECT pg_terminate_backend($1)";
    private const string DropSlotSql = "SELECT pg_drop_replication_slot($1)";
    private static readonly TimeSpan _slotReleaseDeadline = TimeSpan.FromSeconds(30);

    private readonly string _adminConnectionString;
    private int _disposed;

    private PostgresDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database name, derived from the calling test (see <see cref="TestDatabaseName"/>).</summary>
    public string Name { get; }

    /// <summary>Connection string of this database on its server.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Creates a fresh database on the server of <paramref name="serverConnectionString"/> (for
    /// example <see cref="TestServers.Postgres"/>). Throws <see cref="TestServerUnavailableException"/>
    /// when the server does not answer.
    /// </summary>
    public static async Task<PostgresDatabase> CreateAsync(
        string serverConnectionString,
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "",
        CancellationToken cancellationToken = default)
    {
        var admin = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres" }.ConnectionString;
        var databaseName = TestDatabaseName.Next(name, callerFile);
        var connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = databaseName }.ConnectionString;

        await using (var connection = await OpenAdminAsync(admin, serverConnectionString, cancellationToken))
        {
            await DropAsync(connection, databaseName, cancellationToken);
            await ExecuteAsync(connection, $"CREATE DATABASE {QuoteIdentifier(databaseName)}", cancellationToken);
        }

        return new PostgresDatabase(admin, databaseName, connectionString);
    }

    /// <summary>Opens a new connection to this database; the caller disposes it.</summary>
    public async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="sql"/> with positional parameters (<c>$1</c>, <c>$2</c>, …); returns the rows affected.</summary>
    public async Task<int> ExecuteAsync(string sql, params object?[] parameters)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = CreateCommand(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs <paramref name="sql"/> with positional parameters and returns the first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object?[] parameters)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = CreateCommand(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value switch
        {
            null or DBNull => default!,
            T typed => typed,
            _ => (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// <c>count(*)</c> of <paramref name="table"/>, or 0 while the table or its schema does not exist yet (a pipeline
    /// creates its destination tables as it starts).
    /// </summary>
    public async Task<long> CountRowsAsync(string table)
    {
        try
        {
            return await ScalarAsync<long>($"SELECT count(*) FROM {table}");
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return 0;
        }
    }

    /// <summary>The rows of <paramref name="sql"/> as text, one string per row, columns joined by '|' (NULL as "NULL").</summary>
    public async Task<List<string>> RowsAsync(string sql)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>Runs <paramref name="sql"/> on the server's <c>postgres</c> database (to alter this one from outside).</summary>
    public async Task ExecuteAsAdminAsync(string sql)
    {
        await using var connection = await OpenAdminAsync(_adminConnectionString, _adminConnectionString, CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Drops the database, its connections and its replication slots. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Pooled idle connections would otherwise be reused against a dropped database.
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        await using var connection = await OpenAdminAsync(_adminConnectionString, _adminConnectionString, CancellationToken.None);
        await DropAsync(connection, Name, CancellationToken.None);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static async Task<NpgsqlConnection> OpenAdminAsync(string admin, string server, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(admin);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await connection.DisposeAsync();
            throw TestServers.PostgresUnavailable(server, ex);
        }
    }

    private static async Task DropAsync(NpgsqlConnection admin, string databaseName, CancellationToken cancellationToken)
    {
        // DROP DATABASE refuses while logical slots of the database exist, active or not: a slot
        // in use is released by terminating its walsender, which takes a moment, hence the wait.
        await Eventually.WaitAsync(
            () => TryDropSlotsAsync(admin, databaseName, cancellationToken),
            _slotReleaseDeadline,
            () => $"dropping the replication slots of database {databaseName}: some stayed active",
            cancellationToken);
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {QuoteIdentifier(databaseName)} WITH (FORCE)", cancellationToken);
    }

    /// <returns>true when the database has no replication slot left.</returns>
    private static async Task<bool> TryDropSlotsAsync(NpgsqlConnection admin, string databaseName, CancellationToken cancellationToken)
    {
        var slots = new List<(string Name, int? ActivePid)>();
        await using (var command = CreateCommand(admin, SlotsOfDatabaseSql, [databaseName]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                slots.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1)));
            }
        }

        var remaining = false;
        foreach (var (slot, activePid) in slots)
        {
            if (activePid is { } pid)
            {
                await using var terminate = CreateCommand(admin, TerminateBackendSql, [pid]);
                await terminate.ExecuteNonQueryAsync(cancellationToken);
                remaining = true;
                continue;
            }

            try
            {
                await using var drop = CreateCommand(admin, DropSlotSql, [slot]);
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.ObjectInUse or PostgresErrorCodes.UndefinedObject)
            {
                // In use: picked up again by a walsender since we listed it; retried on the next poll.
                // Undefined: dropped concurrently, which is what we want.
                remaining |= ex.SqlState == PostgresErrorCodes.ObjectInUse;
            }
        }

        return !remaining;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand CreateCommand(NpgsqlConnection connection, string sql, object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }

    private static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
