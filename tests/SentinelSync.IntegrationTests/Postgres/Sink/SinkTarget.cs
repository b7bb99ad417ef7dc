using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>A fresh destination database and a <see cref="PostgresSink"/> writing into it.</summary>
internal sealed class SinkTarget : IAsyncDisposable
{
    public const string SinkName = "pg-test";

    private SinkTarget(PostgresDatabase database, PostgresSink sink)
    {
        Database = database;
        Sink = sink;
    }

    public PostgresDatabase Database { get; }

    public PostgresSink Sink { get; }

    public static async Task<SinkTarget> CreateAsync(
        Action<PostgresSinkOptions>? configure = null,
        ILogger<PostgresSink>? logger = null,
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "")
    {
        var database = await PostgresDatabase.CreateAsync(TestServers.PostgresDestination, name, callerFile);
        var options = new PostgresSinkOptions { Connection = database.ConnectionString };
        configure?.Invoke(options);
        return new SinkTarget(database, new PostgresSink(options, logger));
    }

    /// <summary>The rows of <paramref name="sql"/> as "a|b" strings (each column cast to text, NULL as ∅), in query order.</summary>
    public async Task<List<string>> RowsAsync(string sql)
    {
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "∅" : reader.GetValue(i).ToString())));
        }

        return rows;
    }

    /// <summary>The rows of <paramref name="sql"/> as arrays of values read as text (NULL as null).</summary>
    public async Task<List<string?[]>> ValuesAsync(string sql)
    {
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)).ToArray());
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await Sink.DisposeAsync();
        await Database.DisposeAsync();
    }
}
