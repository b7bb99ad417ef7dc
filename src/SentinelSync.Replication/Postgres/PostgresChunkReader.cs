using System.Text;
using Npgsql;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Reads a table in key order, one chunk at a time (keyset pagination: the rows after the last key of the
/// previous chunk), as the current committed state: the copy half of a table resync. Values come through
/// <c>COPY ... TO STDOUT</c> in text form, as the snapshot reader and pgoutput produce them, so a chunk's keys
/// compare equal to the streamed changes' keys.
/// </summary>
internal sealed class PostgresChunkReader(string connectionString)
{
    private const string EstimateSql = """
        SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint
        FROM pg_class c
        WHERE c.oid = $1::regclass
           OR c.oid IN (SELECT i.inhrelid FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                        WHERE i.inhparent = $1::regclass AND p.relkind = 'p')
        """;

    /// <summary>The planner's row estimate (0 for a table never analyzed): for progress only.</summary>
    public async Task<long> EstimateRowsAsync(TableName table, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(EstimateSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = PostgresIdentifier.Quote(table) });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The schema and the first <paramref name="limit"/> rows whose key is greater than <paramref name="after"/>
    /// (all keys when null), in key order, read in one transaction. Throws
    /// <see cref="InvalidOperationException"/> when the table has no key to page by.
    /// </summary>
    public async Task<(TableSchema Schema, List<ColumnValue[]> Rows)> ReadAsync(TableName table, ColumnValue[]? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var (schema, isPartitioned) = await PostgresSnapshotReader.ReadSchemaAsync(connection, table, cancellationToken);
        var keys = schema.KeyIndexes.ToList();
        if (keys.Count == 0 || !await HasUniqueKeyAsync(connection, table, cancellationToken))
        {
            throw new InvalidOperationException($"Table {table} has no primary key or replica identity index to read it in key order; a resync needs one.");
        }

        var sql = new StringBuilder("COPY (SELECT ")
            .AppendJoin(", ", schema.Columns.Select(c => PostgresIdentifier.Quote(c.Name)))
            .Append(" FROM ").Append(isPartitioned ? "" : "ONLY ").Append(PostgresIdentifier.Quote(table));
        var keyList = string.Join(", ", keys.Select(i => PostgresIdentifier.Quote(schema.Columns[i].Name)));
        if (after is not null)
        {
            // COPY takes no parameters: the previous chunk's last key goes in as typed literals.
            sql.Append(" WHERE (").Append(keyList).Append(") > (")
               .AppendJoin(", ", keys.Select(i => Literal(after[i], schema.Columns[i].TypeName)))
               .Append(')');
        }

        sql.Append(" ORDER BY ").Append(keyList).Append(" LIMIT ").Append(limit).Append(") TO STDOUT");

        var rows = new List<ColumnValue[]>(limit);
        using (var reader = await connection.BeginTextExportAsync(sql.ToString(), cancellationToken))
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                rows.Add(CopyTextFormat.ParseRow(line, schema.Columns.Count));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (schema, rows);
    }

    /// <summary>
    /// The current committed rows of the given keys (text values of the key columns, in the schema's column
    /// order), read in one transaction, and the indexes of the keys no row has any more. Throws
    /// <see cref="InvalidOperationException"/> when the table has no key or a key has the wrong number of values.
    /// </summary>
    public async Task<(TableSchema Schema, List<ColumnValue[]> Rows, List<int> Missing)> ReadKeysAsync(TableName table, IReadOnlyList<string[]> keys, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var (schema, isPartitioned) = await PostgresSnapshotReader.ReadSchemaAsync(connection, table, cancellationToken);
        var keyColumns = schema.KeyIndexes.Select(i => schema.Columns[i]).ToList();
        if (keyColumns.Count == 0 || !await HasUniqueKeyAsync(connection, table, cancellationToken))
        {
            throw new InvalidOperationException($"Table {table} has no primary key or replica identity index; its rows cannot be repaired by key.");
        }

        var rows = new List<ColumnValue[]>(keys.Count);
        var missing = new List<int>();
        var from = (isPartitioned ? "" : "ONLY ") + PostgresIdentifier.Quote(table);
        var keyList = string.Join(", ", keyColumns.Select(c => "t." + PostgresIdentifier.Quote(c.Name)));
        var valueNames = string.Join(", ", keyColumns.Select((_, i) => $"k{i}"));
        for (var start = 0; start < keys.Count; start += 1000)
        {
            var values = new StringBuilder();
            for (var i = start; i < Math.Min(keys.Count, start + 1000); i++)
            {
                if (keys[i].Length != keyColumns.Count)
                {
                    throw new InvalidOperationException($"Table {table}: key {i} has {keys[i].Length} values for {keyColumns.Count} key columns.");
                }

                values.Append(values.Length == 0 ? "(" : ", (").Append(i)
                    .Append(", ").AppendJoin(", ", keyColumns.Select((c, k) => Literal(ColumnValue.Of(keys[i][k]), c.TypeName))).Append(')');
            }

            var wanted = $"(VALUES {values}) AS v(ord, {valueNames})";
            var sql = $"COPY (SELECT {string.Join(", ", schema.Columns.Select(c => "t." + PostgresIdentifier.Quote(c.Name)))} FROM {from} t WHERE ({keyList}) IN (SELECT {valueNames} FROM {wanted})) TO STDOUT";
            using (var reader = await connection.BeginTextExportAsync(sql, cancellationToken))
            {
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    rows.Add(CopyTextFormat.ParseRow(line, schema.Columns.Count));
                }
            }

            await using var absent = new NpgsqlCommand($"SELECT v.ord FROM {wanted} WHERE NOT EXISTS (SELECT 1 FROM {from} t WHERE ({keyList}) = ({string.Join(", ", keyColumns.Select((_, i) => $"v.k{i}"))}))", connection);
            await using var result = await absent.ExecuteReaderAsync(cancellationToken);
            while (await result.ReadAsync(cancellationToken))
            {
                missing.Add(result.GetInt32(0));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (schema, rows, missing);
    }

    // REPLICA IDENTITY FULL without a primary key marks every column a key, but duplicate rows cannot be paged
    // by key: only a primary key or a replica identity index (unique by definition) will do.
    internal static async Task<bool> HasUniqueKeyAsync(NpgsqlConnection connection, TableName table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = $1::regclass AND (indisprimary OR indisreplident))", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = PostgresIdentifier.Quote(table) });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>An escape string literal (<c>E'...'</c>: the same whatever standard_conforming_strings says) cast to the column's type.</summary>
    internal static string Literal(ColumnValue value, string typeName) =>
        value.Text is { } text
            ? $"E'{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)}'::{typeName}"
            : throw new InvalidOperationException("A key column is NULL; it cannot be paged by.");
}
