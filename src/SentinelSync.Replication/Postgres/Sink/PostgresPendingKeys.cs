using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Tables the sink created without their primary key, to load a snapshot faster (one sort at the end instead of a
/// B-tree insert per row). Each is recorded in <c>"_sentinel".pending_keys</c> in the transaction that creates it;
/// the key is built by the batch that ends the table's snapshot, and in any case before a streamed change is applied
/// to the table, in the caller's transaction. The rows loaded meanwhile come from one snapshot (a restarted copy
/// truncates first, and each copy is applied once), so they are unique by key.
/// </summary>
internal sealed partial class PostgresPendingKeys(ILogger logger)
{
    // Targets seen without a pending key since the last failure: most batches cost no query.
    private readonly ConcurrentDictionary<TableName, bool> _settled = [];

    /// <summary>Records that <paramref name="target"/>, being created, gets its key later.</summary>
    public async Task RecordAsync(NpgsqlConnection connection, TableName target, IReadOnlyList<string> keyColumns, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresSinkSql.InsertPendingKey, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = PostgresIdentifier.Quote(target) });
        command.Parameters.Add(new NpgsqlParameter { Value = keyColumns.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _settled.TryRemove(target, out _);
    }

    /// <summary>Builds <paramref name="target"/>'s primary key if it is pending (in the caller's transaction).</summary>
    public async Task BuildIfPendingAsync(NpgsqlConnection connection, TableName target, CancellationToken cancellationToken)
    {
        if (_settled.ContainsKey(target))
        {
            return;
        }

        var quoted = PostgresIdentifier.Quote(target);
        string[]? keyColumns;
        await using (var claim = new NpgsqlCommand(PostgresSinkSql.DeletePendingKey + " RETURNING key_columns", connection))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = quoted });
            keyColumns = await claim.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string[];
        }

        if (keyColumns is { Length: > 0 })
        {
            var started = Stopwatch.GetTimestamp();
            await using var build = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(PostgresSinkSql.KeyBuildMemory),
                    new NpgsqlBatchCommand(string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.AddPrimaryKeyTemplate, quoted, PostgresIdentifier.List(keyColumns))),
                },
            };
            await build.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            LogKeyBuilt(logger, target, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        _settled[target] = true;
    }

    /// <summary>Whether <see cref="BuildIfPendingAsync"/> would return at once for <paramref name="target"/>.</summary>
    public bool IsSettled(TableName target) => _settled.ContainsKey(target);

    /// <summary>After a failed transaction: what was seen may have been rolled back.</summary>
    public void Forget() => _settled.Clear();

    [LoggerMessage(Level = LogLevel.Information, Message = "Built the primary key of {Target} after its snapshot load in {Seconds:0.0} s")]
    private static partial void LogKeyBuilt(ILogger logger, TableName target, double seconds);
}
