using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace SentinelSync.Replication.DeadLetters;

/// <summary>
/// The dead-letter queue in the control database (<c>sentinel.dead_letter</c>). Each entry holds the whole
/// change (schema included, as JSON), the error, the attempt count and time, so that it can be inspected,
/// replayed once the cause is fixed, or discarded deliberately.
/// </summary>
public sealed class DeadLetterStore(NpgsqlDataSource controlDb)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private const string InsertSql = """
        INSERT INTO sentinel.dead_letter (pipeline, sink, source_table, row_key, position_lsn, position_ord, change, error_type, error, attempts, transformed)
        VALUES (@pipeline, @sink, @table, @key, @lsn, @ord, @change, @type, @error, @attempts, @transformed)
        RETURNING id
        """;

    private const string SelectColumns = """
        SELECT id, pipeline, sink, source_table, row_key, position_lsn, position_ord, change::text, error_type, error, attempts, failed_at, status, transformed
        FROM sentinel.dead_letter
        """;

    private const string ListSql = SelectColumns + """

        WHERE (@pipeline::text IS NULL OR pipeline = @pipeline) AND (@sink::text IS NULL OR sink = @sink)
          AND (@table::text IS NULL OR source_table = @table) AND (@status::text IS NULL OR status = @status)
        ORDER BY pipeline, sink, source_table, position_lsn, position_ord, id
        LIMIT @limit
        """;

    private const string GetSql = SelectColumns + " WHERE id = @id";

    private const string PendingKeysSql = """
        SELECT DISTINCT row_key FROM sentinel.dead_letter
        WHERE pipeline = @pipeline AND sink = @sink AND source_table = @table AND status = 'pending'
        """;

    private const string ResolveSql = """
        UPDATE sentinel.dead_letter SET status = @status, resolved_at = now() WHERE id = ANY(@ids) AND status = 'pending'
        """;

    private const string ExistsSql = """
        SELECT EXISTS (SELECT 1 FROM sentinel.dead_letter
                       WHERE pipeline = @pipeline AND sink = @sink AND source_table = @table AND position_lsn = @lsn AND position_ord = @ord)
        """;

    private const string CountSql = "SELECT count(*) FROM sentinel.dead_letter WHERE status = 'pending'";

    // Every status: a replayed or discarded entry still holds the row. The key is matched in C# against every key the
    // change touches (RowKeys), since row_key holds only the first (the new key of an update that moved the key).
    private const string OfTableSql = """
        SELECT id, change::text FROM sentinel.dead_letter
        WHERE pipeline = @pipeline AND (@sink::text IS NULL OR sink = @sink) AND source_table = @table
        """;

    private const string DeleteSql = "DELETE FROM sentinel.dead_letter WHERE id = ANY(@ids)";

    /// <summary>
    /// Stores a change as the sink was given it: <paramref name="transformed"/> says it already passed the sink's
    /// transforms (masked columns hold masked values, excluded ones are absent), so it is never stored in the clear.
    /// </summary>
    public async Task<long> AddAsync(string pipeline, string sink, string rowKey, RowChange change, Exception error, int attempts, bool transformed, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(InsertSql);
        command.Parameters.AddWithValue("pipeline", pipeline);
        command.Parameters.AddWithValue("sink", sink);
        command.Parameters.AddWithValue("table", change.Schema.Table.ToString());
        command.Parameters.AddWithValue("key", rowKey);
        command.Parameters.AddWithValue("lsn", (decimal)change.Position.Lsn);
        command.Parameters.AddWithValue("ord", change.Position.Ordinal);
        command.Parameters.Add(new NpgsqlParameter("change", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(change, s_json) });
        command.Parameters.AddWithValue("type", error.GetType().Name);
        command.Parameters.AddWithValue("error", error.Message);
        command.Parameters.AddWithValue("attempts", attempts);
        command.Parameters.AddWithValue("transformed", transformed);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(DeadLetterFilter filter, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(ListSql);
        command.Parameters.Add(new NpgsqlParameter("pipeline", NpgsqlDbType.Text) { Value = (object?)filter.Pipeline ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("sink", NpgsqlDbType.Text) { Value = (object?)filter.Sink ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("table", NpgsqlDbType.Text) { Value = (object?)filter.SourceTable ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Text) { Value = (object?)filter.Status ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", filter.Limit);
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeadLetter?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(GetSql);
        command.Parameters.AddWithValue("id", id);
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>Keys with pending dead letters for one sink and table: their later changes must queue behind them.</summary>
    /// <summary>
    /// Whether a letter of this position was ever added (whatever its status): a source that reads a position again
    /// after a restart (a Kafka partition re-reading an undecodable message) must not add it twice.
    /// </summary>
    public async Task<bool> ExistsAsync(string pipeline, string sink, TableName table, Position position, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(ExistsSql);
        command.Parameters.AddWithValue("pipeline", pipeline);
        command.Parameters.AddWithValue("sink", sink);
        command.Parameters.AddWithValue("table", table.ToString());
        command.Parameters.AddWithValue("lsn", (decimal)position.Lsn);
        command.Parameters.AddWithValue("ord", position.Ordinal);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<HashSet<string>> PendingKeysAsync(string pipeline, string sink, TableName table, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(PendingKeysSql);
        command.Parameters.AddWithValue("pipeline", pipeline);
        command.Parameters.AddWithValue("sink", sink);
        command.Parameters.AddWithValue("table", table.ToString());
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    /// <summary>Marks pending entries replayed or discarded; returns how many changed.</summary>
    public async Task<int> ResolveAsync(IReadOnlyCollection<long> ids, string status, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(ResolveSql);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        command.Parameters.AddWithValue("status", status);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes every entry (whatever its status) of <paramref name="pipeline"/> and <paramref name="table"/> at
    /// <paramref name="sink"/> (every sink when null) that touches the row of <paramref name="rowKey"/> (as
    /// <see cref="RowKeys"/> writes it); returns how many went. For erasure: the entries hold the row's values.
    /// </summary>
    public async Task<int> PurgeKeyAsync(string pipeline, string? sink, TableName table, string rowKey, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        await using (var command = controlDb.CreateCommand(OfTableSql))
        {
            command.Parameters.AddWithValue("pipeline", pipeline);
            command.Parameters.Add(new NpgsqlParameter("sink", NpgsqlDbType.Text) { Value = (object?)sink ?? DBNull.Value });
            command.Parameters.AddWithValue("table", table.ToString());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var change = JsonSerializer.Deserialize<RowChange>(reader.GetString(1), s_json)!;
                if (RowKeys.Of(change).Contains(rowKey, StringComparer.Ordinal))
                {
                    ids.Add(reader.GetInt64(0));
                }
            }
        }

        if (ids.Count == 0)
        {
            return 0;
        }

        await using var delete = controlDb.CreateCommand(DeleteSql);
        delete.Parameters.AddWithValue("ids", ids.ToArray());
        return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(CountSql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<List<DeadLetter>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var letters = new List<DeadLetter>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            letters.Add(new DeadLetter(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                new Position((ulong)reader.GetDecimal(5), reader.GetInt64(6)),
                JsonSerializer.Deserialize<RowChange>(reader.GetString(7), s_json)!,
                reader.GetString(8),
                reader.GetString(9),
                reader.GetInt32(10),
                reader.GetFieldValue<DateTimeOffset>(11),
                reader.GetString(12),
                reader.GetBoolean(13)));
        }

        return letters;
    }
}
