using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Applies one <see cref="ApplySegment"/> to its target table inside the caller's transaction, set-based: every
/// row the segment writes goes through one text-format <c>COPY</c> into a temporary staging table (created from
/// the target with <c>CREATE TEMP TABLE … AS … WITH NO DATA</c>, so it has the destination's exact types and no
/// constraints), then one <c>DELETE … USING</c>, one <c>INSERT … SELECT … ON CONFLICT DO UPDATE</c> for complete
/// rows and one <c>UPDATE … FROM</c> per set of unchanged TOAST columns. Values reach Postgres' input
/// functions as the text the source's output functions produced, so every type round-trips exactly.
/// <para>
/// A small segment of complete rows skips the staging table: one <c>DELETE</c> and one multi-row
/// <c>INSERT … ON CONFLICT</c> with text parameters, sent in one round trip (see <see cref="DirectRowsLimit"/>).
/// </para>
/// <para>
/// Snapshot rows are most likely new to the destination: they are copied straight into the target under a
/// savepoint, which halves the destination's work. A key that is already there (a restarted snapshot, a table
/// adopted with rows) rolls back to the savepoint and takes the staging path, and the target keeps taking it.
/// </para>
/// </summary>
internal sealed partial class PostgresTableWriter(ILogger logger)
{
    private const string DirectCopySavepoint = "sentinel_direct_copy";

    private readonly ConcurrentDictionary<TableName, bool> _conflicted = [];

    private const int DeleteGroup = -1;
    private const int CompleteGroup = 0;
    private const int CopyChunkChars = 64 * 1024;

    // Up to this many rows (and values), a segment of complete rows is written with parameterised statements
    // sent in one round trip instead of through a staging table: small transactions are dominated by round
    // trips, large ones by the per-row cost COPY keeps low.
    private const int DirectRowsLimit = 500;
    private const int DirectValuesLimit = 20_000;

    // Rows that leave TOAST columns unchanged are written directly as one keyed UPDATE each, up to this many: each is
    // planned on its own, so past a few dozen the staging table's single UPDATE … FROM costs less than the statements,
    // while below it creating and dropping the staging table (catalog rows and a file) costs more than the rows.
    private const int DirectPartialRowsLimit = 64;

    /// <summary>
    /// Applies <paramref name="segment"/>; <paramref name="columnTypes"/> are the target's column types (by name),
    /// which key predicates cast their text parameters to.
    /// </summary>
    public async Task ApplyAsync(NpgsqlConnection connection, TableName target, ApplySegment segment, IReadOnlyDictionary<string, string> columnTypes, CancellationToken cancellationToken)
    {
        var table = PostgresIdentifier.Quote(target);
        var columns = segment.Schema.Columns.Select(c => c.Name).ToList();
        var keys = segment.Schema.Columns.Where(c => c.IsKey).Select(c => c.Name).ToList();

        if (segment.Truncate)
        {
            await ExecuteAsync(connection, string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.TruncateTemplate, table), cancellationToken).ConfigureAwait(false);
        }

        if (segment.Move is { } move)
        {
            await MoveAsync(connection, target, table, segment.Schema, move, columnTypes, cancellationToken).ConfigureAwait(false);
        }

        if (segment.Deletes.Count == 0 && segment.Upserts.Count == 0 && segment.Inserts.Count == 0)
        {
            return;
        }

        if (segment.SnapshotOnly && segment.Deletes.Count == 0 && !_conflicted.ContainsKey(target)
            && await TryCopyIntoTargetAsync(connection, target, table, columns, segment, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var conflict = ConflictClause(columns, keys);
        if (FitsDirect(segment))
        {
            await WriteDirectAsync(connection, target, table, columns, keys, segment, conflict, columnTypes, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Rows grouped by which columns they leave unchanged: each group is one statement.
        var partialGroups = new Dictionary<string, (int Group, List<int> Unchanged)>(StringComparer.Ordinal);
        var rows = new List<(int Group, ColumnValue[] Row)>(segment.Deletes.Count + segment.Upserts.Count + segment.Inserts.Count);
        rows.AddRange(segment.Deletes.Select(r => (DeleteGroup, r)));
        rows.AddRange(segment.Inserts.Select(r => (CompleteGroup, r)));
        foreach (var row in segment.Upserts)
        {
            if (!IsPartial(row))
            {
                rows.Add((CompleteGroup, row));
                continue;
            }

            var unchanged = Enumerable.Range(0, row.Length).Where(i => row[i].IsUnchanged).ToList();

            var signature = string.Join(',', unchanged);
            if (!partialGroups.TryGetValue(signature, out var group))
            {
                group = (partialGroups.Count + 1, unchanged);
                partialGroups.Add(signature, group);
            }

            rows.Add((group.Group, row));
        }

        var columnList = PostgresIdentifier.List(columns);
        await ExecuteAsync(
            connection,
            string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.CreateStagingTemplate, PostgresIdentifier.Quote(PostgresSinkSql.StagingGroupColumn), columnList, table),
            cancellationToken).ConfigureAwait(false);
        var copy = string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.CopyStagingTemplate, PostgresIdentifier.Quote(PostgresSinkSql.StagingGroupColumn) + ", " + columnList);
        await CopyAsync(connection, copy, columns.Count, rows.Select(r => ((int?)r.Group, r.Row)), cancellationToken).ConfigureAwait(false);

        var keyMatch = string.Join(" AND ", keys.Select(k => $"t.{PostgresIdentifier.Quote(k)} = s.{PostgresIdentifier.Quote(k)}"));
        if (segment.Deletes.Count > 0)
        {
            var sql = string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.DeleteFromStagingTemplate, table, keyMatch);
            await ExecuteAsync(connection, sql, cancellationToken, DeleteGroup).ConfigureAwait(false);
        }

        if (rows.Any(r => r.Group == CompleteGroup))
        {
            var sql = string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.InsertFromStagingTemplate, table, columnList, conflict);
            await ExecuteAsync(connection, sql, cancellationToken, CompleteGroup).ConfigureAwait(false);
        }

        var groupSizes = rows.GroupBy(r => r.Group).ToDictionary(g => g.Key, g => g.Count());
        foreach (var (group, unchanged) in partialGroups.Values)
        {
            var assigned = columns.Where((c, i) => !unchanged.Contains(i) && !keys.Contains(c, StringComparer.Ordinal)).ToList();
            var expected = groupSizes[group];
            if (assigned.Count == 0)
            {
                continue;
            }

            var assignments = string.Join(", ", assigned.Select(c => $"{PostgresIdentifier.Quote(c)} = s.{PostgresIdentifier.Quote(c)}"));
            var sql = string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.UpdateFromStagingTemplate, table, assignments, keyMatch);
            var updated = await ExecuteAsync(connection, sql, cancellationToken, group).ConfigureAwait(false);
            if (updated < expected)
            {
                // An update whose row the destination lacks cannot be completed: its unchanged columns exist
                // nowhere else. Inserting it would write NULLs for them, so it is reported, not guessed.
                LogPartialUpdatesMissed(logger, target, expected - updated, expected);
            }
        }

        await ExecuteAsync(connection, PostgresSinkSql.DropStaging, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The upsert's conflict clause: complete rows replace the destination's (none for a keyless table).</summary>
    private static string ConflictClause(List<string> columns, List<string> keys)
    {
        var nonKeys = columns.Where(c => !keys.Contains(c, StringComparer.Ordinal)).ToList();
        return keys.Count == 0
            ? ""
            : nonKeys.Count == 0
                ? $"ON CONFLICT ({PostgresIdentifier.List(keys)}) DO NOTHING"
                : $"ON CONFLICT ({PostgresIdentifier.List(keys)}) DO UPDATE SET "
                  + string.Join(", ", nonKeys.Select(c => $"{PostgresIdentifier.Quote(c)} = EXCLUDED.{PostgresIdentifier.Quote(c)}"));
    }

    /// <summary>
    /// Whether <see cref="AddDirect"/> can write <paramref name="segment"/> as it is, with no other statement and no
    /// round trip of its own: streamed rows (no truncate, key move or snapshot rows, which take their own ways), few
    /// enough for parameters.
    /// </summary>
    public static bool IsDirect(ApplySegment segment) =>
        !segment.Truncate && segment.Move is null && !segment.SnapshotOnly && !segment.IsEmpty && FitsDirect(segment);

    /// <summary>Whether the segment's rows are few enough to be written with parameterised statements (see <see cref="DirectRowsLimit"/>).</summary>
    private static bool FitsDirect(ApplySegment segment)
    {
        var rows = segment.Deletes.Count + segment.Upserts.Count + segment.Inserts.Count;
        return rows <= DirectRowsLimit && rows * segment.Schema.Columns.Count <= DirectValuesLimit
            && segment.Upserts.Count(IsPartial) <= DirectPartialRowsLimit;
    }

    /// <summary>Whether an upserted row leaves some column as the destination has it (an unchanged TOAST value).</summary>
    public static bool IsPartial(ColumnValue[] row) => Array.FindIndex(row, v => v.IsUnchanged) >= 0;

    /// <summary>
    /// Adds the statements of a segment for which <see cref="IsDirect"/> holds to <paramref name="batch"/> (see
    /// <see cref="WriteDirectAsync"/>); <paramref name="columnTypes"/> are needed when it deletes or updates partial
    /// rows. Returns the partial rows' updates, for <see cref="ReportMissedUpdates"/> once the batch ran.
    /// </summary>
    public static List<NpgsqlBatchCommand> AddDirect(NpgsqlBatch batch, TableName target, ApplySegment segment, IReadOnlyDictionary<string, string> columnTypes)
    {
        var columns = segment.Schema.Columns.Select(c => c.Name).ToList();
        var keys = segment.Schema.Columns.Where(c => c.IsKey).Select(c => c.Name).ToList();
        return AddDirect(batch, PostgresIdentifier.Quote(target), columns, keys, segment, ConflictClause(columns, keys), columnTypes);
    }

    /// <summary>
    /// Warns when updates of rows with unchanged columns found no destination row: such a row cannot be completed,
    /// since its unchanged columns exist nowhere else, and inserting it would write NULLs for them.
    /// </summary>
    public void ReportMissedUpdates(TableName target, List<NpgsqlBatchCommand> updates)
    {
        var missed = updates.Count(u => u.RecordsAffected == 0);
        if (missed > 0)
        {
            LogPartialUpdatesMissed(logger, target, missed, updates.Count);
        }
    }

    /// <summary>
    /// A small segment: one <c>DELETE ... WHERE (key) IN (...)</c>, one multi-row <c>INSERT ... ON CONFLICT</c> for
    /// complete rows and one keyed <c>UPDATE</c> per row with unchanged columns (assigning only the others), sent
    /// together. Values are text parameters of unknown type, parsed by the target columns' input functions as the
    /// staging path's COPY would; in key predicates they are cast to the key columns' types (see <see cref="KeyParameter"/>).
    /// </summary>
    private async Task WriteDirectAsync(NpgsqlConnection connection, TableName target, string table, List<string> columns, List<string> keys, ApplySegment segment, string conflict, IReadOnlyDictionary<string, string> columnTypes, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        var updates = AddDirect(batch, table, columns, keys, segment, conflict, columnTypes);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        ReportMissedUpdates(target, updates);
    }

    private static List<NpgsqlBatchCommand> AddDirect(NpgsqlBatch batch, string table, List<string> columns, List<string> keys, ApplySegment segment, string conflict, IReadOnlyDictionary<string, string> columnTypes)
    {
        var keyIndexes = segment.Schema.KeyIndexes.ToList();
        if (segment.Deletes.Count > 0)
        {
            var keyTypes = keys.Select(k => TypeOf(columnTypes, k)).ToList();
            var delete = new NpgsqlBatchCommand();
            var sql = new StringBuilder("DELETE FROM ").Append(table).Append(" WHERE (").Append(PostgresIdentifier.List(keys)).Append(") IN (");
            for (var r = 0; r < segment.Deletes.Count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var k = 0; k < keyIndexes.Count; k++)
                {
                    sql.Append(k == 0 ? "" : ", ").Append(KeyParameter(delete.Parameters, segment.Deletes[r][keyIndexes[k]], keyTypes[k]));
                }

                sql.Append(')');
            }

            delete.CommandText = sql.Append(')').ToString();
            batch.BatchCommands.Add(delete);
        }

        var complete = segment.Inserts.Concat(segment.Upserts.Where(row => !IsPartial(row))).ToList();
        if (complete.Count > 0)
        {
            var insert = new NpgsqlBatchCommand();
            var sql = new StringBuilder("INSERT INTO ").Append(table).Append(" (").Append(PostgresIdentifier.List(columns)).Append(") VALUES ");
            var first = true;
            foreach (var row in complete)
            {
                sql.Append(first ? "(" : ", (");
                first = false;
                for (var i = 0; i < columns.Count; i++)
                {
                    sql.Append(i == 0 ? "$" : ", $").Append(AddTextParameter(insert.Parameters, i < row.Length ? row[i] : ColumnValue.Null));
                }

                sql.Append(')');
            }

            insert.CommandText = sql.Append(' ').Append(conflict).ToString();
            batch.BatchCommands.Add(insert);
        }

        var updates = new List<NpgsqlBatchCommand>();
        foreach (var row in segment.Upserts.Where(IsPartial))
        {
            var update = new NpgsqlBatchCommand();
            var sql = new StringBuilder("UPDATE ").Append(table).Append(" SET ");
            var assigned = 0;
            for (var i = 0; i < columns.Count; i++)
            {
                var value = i < row.Length ? row[i] : ColumnValue.Null;
                if (!value.IsUnchanged && !keyIndexes.Contains(i))
                {
                    sql.Append(assigned++ == 0 ? "" : ", ").Append(PostgresIdentifier.Quote(columns[i])).Append(" = $").Append(AddTextParameter(update.Parameters, value));
                }
            }

            if (assigned == 0)
            {
                // Only unchanged columns besides the key: nothing to write (the staging path skips these too).
                continue;
            }

            sql.Append(" WHERE ");
            for (var k = 0; k < keyIndexes.Count; k++)
            {
                sql.Append(k == 0 ? "" : " AND ").Append(PostgresIdentifier.Quote(columns[keyIndexes[k]])).Append(" = ")
                    .Append(KeyParameter(update.Parameters, row[keyIndexes[k]], TypeOf(columnTypes, columns[keyIndexes[k]])));
            }

            update.CommandText = sql.ToString();
            batch.BatchCommands.Add(update);
            updates.Add(update);
        }

        return updates;
    }

    private async Task MoveAsync(NpgsqlConnection connection, TableName target, string table, TableSchema schema, KeyMove move, IReadOnlyDictionary<string, string> columnTypes, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var assignments = new List<string>();
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            if (!move.NewRow[i].IsUnchanged)
            {
                assignments.Add($"{PostgresIdentifier.Quote(schema.Columns[i].Name)} = ${AddTextParameter(command.Parameters, move.NewRow[i])}");
            }
        }

        var match = schema.KeyIndexes
            .Select(i => $"{PostgresIdentifier.Quote(schema.Columns[i].Name)} = {KeyParameter(command.Parameters, move.OldRow[i], TypeOf(columnTypes, schema.Columns[i].Name))}")
            .ToList();
        command.CommandText = string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.MoveRowTemplate, table, string.Join(", ", assignments), string.Join(" AND ", match));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            LogPartialUpdatesMissed(logger, target, 1, 1);
        }
    }

    /// <summary>A parameter of unknown type: Postgres infers the column's type and parses the text with its input function.</summary>
    private static int AddTextParameter(NpgsqlParameterCollection parameters, ColumnValue value)
    {
        parameters.Add(new NpgsqlParameter
        {
            NpgsqlDbType = NpgsqlDbType.Unknown,
            Value = value.IsNull ? DBNull.Value : value.Text!,
        });
        return parameters.Count;
    }

    /// <summary>
    /// A key value in a predicate: a text parameter cast to the destination column's type. Left untyped, a
    /// parameter compared with a composite column is read as an anonymous record (<c>0A000: input of anonymous
    /// composite types is not implemented</c>), and with arrays, ranges or extension types the operator may not
    /// resolve to the column's; the cast parses the text with the column type's own input function, as COPY does.
    /// </summary>
    private static string KeyParameter(NpgsqlParameterCollection parameters, ColumnValue value, string type) =>
        "$" + AddTextParameter(parameters, value).ToString(CultureInfo.InvariantCulture) + "::" + type;

    /// <summary>The destination's spelling of a column's type (from its catalog, so safe in SQL text).</summary>
    private static string TypeOf(IReadOnlyDictionary<string, string> columnTypes, string column) =>
        columnTypes.TryGetValue(column, out var type)
            ? type
            : throw new InvalidOperationException($"The destination table has no column \"{column}\" to match a key on.");

    /// <summary>Copies the segment's rows straight into the target; false (rolled back) when a key is already there.</summary>
    private async Task<bool> TryCopyIntoTargetAsync(NpgsqlConnection connection, TableName target, string table, List<string> columns, ApplySegment segment, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, $"SAVEPOINT {DirectCopySavepoint}", cancellationToken).ConfigureAwait(false);
        try
        {
            var copy = string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.CopyTargetTemplate, table, PostgresIdentifier.List(columns));
            await CopyAsync(connection, copy, columns.Count, segment.Upserts.Concat(segment.Inserts).Select(r => ((int?)null, r)), cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"RELEASE SAVEPOINT {DirectCopySavepoint}", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await ExecuteAsync(connection, $"ROLLBACK TO SAVEPOINT {DirectCopySavepoint}", cancellationToken).ConfigureAwait(false);
            _conflicted[target] = true;
            LogDirectCopyConflicted(logger, target);
            return false;
        }
    }

    /// <summary>Copies snapshot rows into <paramref name="target"/> as the source wrote them (COPY text, same column order).</summary>
    public static async Task CopyTextAsync(NpgsqlConnection connection, TableName target, CopyRows rows, CancellationToken cancellationToken)
    {
        var copy = string.Format(CultureInfo.InvariantCulture, PostgresSinkSql.CopyTargetTemplate, PostgresIdentifier.Quote(target), PostgresIdentifier.List(rows.Schema.Columns.Select(c => c.Name)));
        var writer = await connection.BeginTextImportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            // The source's UTF-8 bytes go to the writer's own stream as they are (Npgsql's client encoding is UTF-8):
            // no decoding into characters and encoding back. Disposing the writer ends the COPY.
            await ImportStream(writer).WriteAsync(rows.Utf8, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>COPY in text format; each line starts with the row's staging group when it has one.</summary>
    private static async Task CopyAsync(NpgsqlConnection connection, string copy, int columnCount, IEnumerable<(int? Group, ColumnValue[] Row)> rows, CancellationToken cancellationToken)
    {
        var writer = await connection.BeginTextImportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            // Npgsql's text import is a StreamWriter subclass, whose WriteAsync falls back to TextWriter's: a
            // synchronous Write queued to the thread pool for every chunk (a hand-off and a blocked worker each). The
            // chunks' UTF-8 bytes go to its stream instead, as CopyTextAsync's do; the writer's own buffer stays empty.
            var stream = ImportStream(writer);
            var chunk = new StringBuilder(CopyChunkChars + 1024);
            foreach (var (group, row) in rows)
            {
                if (group is { } g)
                {
                    chunk.Append(g.ToString(CultureInfo.InvariantCulture)).Append('\t');
                }

                for (var i = 0; i < columnCount; i++)
                {
                    if (i > 0)
                    {
                        chunk.Append('\t');
                    }

                    AppendCopyText(chunk, i < row.Length ? row[i] : ColumnValue.Null);
                }

                chunk.Append('\n');
                if (chunk.Length >= CopyChunkChars)
                {
                    await WriteUtf8Async(stream, chunk, cancellationToken).ConfigureAwait(false);
                    chunk.Clear();
                }
            }

            await WriteUtf8Async(stream, chunk, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The stream under Npgsql's text import: what is written to it goes to the COPY as it is (UTF-8).</summary>
    private static Stream ImportStream(TextWriter writer) =>
        (writer as StreamWriter ?? throw new InvalidOperationException($"Npgsql's text import is a {writer.GetType()}, not a StreamWriter.")).BaseStream;

    private static async Task WriteUtf8Async(Stream stream, StringBuilder text, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = EncodeUtf8(text, buffer);
            await stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// <paramref name="text"/> as UTF-8 into <paramref name="destination"/>; returns the bytes written. One encoder
    /// across the builder's chunks, since a chunk may end between the two halves of a surrogate pair.
    /// </summary>
    internal static int EncodeUtf8(StringBuilder text, Span<byte> destination)
    {
        var encoder = Encoding.UTF8.GetEncoder();
        var length = 0;
        foreach (var part in text.GetChunks())
        {
            length += encoder.GetBytes(part.Span, destination[length..], flush: false);
        }

        return length + encoder.GetBytes([], destination[length..], flush: true);
    }

    /// <summary>COPY text format: <c>\N</c> is NULL; backslash, tab, newline and carriage return are escaped.</summary>
    internal static void AppendCopyText(StringBuilder line, ColumnValue value)
    {
        if (value.Kind != ColumnValueKind.Text)
        {
            // Unchanged columns are staged as NULL; the statements never read them.
            line.Append("\\N");
            return;
        }

        var text = value.Text!;
        if (text.AsSpan().IndexOfAny("\\\t\n\r") < 0)
        {
            line.Append(text);
            return;
        }

        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': line.Append("\\\\"); break;
                case '\t': line.Append("\\t"); break;
                case '\n': line.Append("\\n"); break;
                case '\r': line.Append("\\r"); break;
                default: line.Append(c); break;
            }
        }
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, int? group = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (group is { } g)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = g });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
