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

    // REPLICA IDENTITY FULL without a primary key marks every column a key, but duplicate rows cannot be paged
    // by key: only a primary key or a replica identity index (unique by definition) will do.
    private static async Task<bool> HasUniqueKeyAsync(NpgsqlConnection connection, TableName table, CancellationToken cancellationToken)
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
