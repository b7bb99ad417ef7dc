using Npgsql;
using NpgsqlTypes;
using SentinelSync.Replication.DeadLetters;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Erasure;

/// <summary>
/// Right to erasure of one row of one source table (<c>sentinel erase</c>): the key is checked and normalised against
/// the source's catalog (the table's key columns and types), then every sink grain of the pipeline erases the row at
/// its destination and deletes its dead letters of the key, in its own order (between batches, fenced); dead letters
/// of sinks no longer configured go too. The source is only read: the row's own delete is the source's business, and
/// while the source still has the row its next change brings it back (the report says so).
/// </summary>
public sealed class Eraser(PipelineRegistry pipelines, DeadLetterStore deadLetters, IGrainFactory grains)
{
    public const string StillAtSourceWarning =
        "the row still exists at the source: its next update (or a resync, or a reconcile repair) replicates it again. " +
        "Delete it at the source first; an erasure follows the source's delete.";

    /// <exception cref="ErasureRejectedException">Not a Postgres-sourced pipeline, not a captured table, or a key that does not fit the table's.</exception>
    public async Task<ErasureReport> EraseAsync(string pipeline, string table, IReadOnlyList<ErasureKeyPart> key, CancellationToken cancellationToken)
    {
        var config = pipelines.Get(pipeline);
        var source = config.Source?.Postgres ?? throw new ErasureRejectedException(
            $"pipeline '{pipeline}' does not read from Postgres: an erasure needs the source's catalog to know the table's key.");
        var name = ParseTable(table);
        if (!source.ParseTables().Any(s => s.Schema == name.Schema && (s.IsPattern || s.Table == name.Name)))
        {
            throw new ErasureRejectedException($"table {name} is not captured by pipeline '{pipeline}' (source.postgres.tables: {string.Join(", ", source.Tables)}).");
        }

        await using var connection = new NpgsqlConnection(source.Connection);
        await connection.OpenAsync(cancellationToken);
        TableSchema schema;
        try
        {
            (schema, _) = await PostgresSnapshotReader.ReadSchemaAsync(connection, name, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            throw new ErasureRejectedException($"table {name} does not exist at the source of pipeline '{pipeline}'.");
        }

        var keyIndexes = schema.KeyIndexes.ToList();
        if (keyIndexes.Count == 0)
        {
            throw new ErasureRejectedException($"table {name} has no primary key or replica identity index: its rows cannot be addressed one by one.");
        }

        var values = await NormalisedKeyAsync(connection, schema, keyIndexes, key, cancellationToken);
        var stillAtSource = await ExistsAsync(connection, schema, keyIndexes, values, cancellationToken);
        var oldKey = new ColumnValue[schema.Columns.Count];
        Array.Fill(oldKey, ColumnValue.Null);
        for (var k = 0; k < keyIndexes.Count; k++)
        {
            oldKey[keyIndexes[k]] = ColumnValue.Of(values[k]);
        }

        var delete = new RowChange(ChangeKind.Delete, default, schema, [], oldKey);
        var sinks = new List<SinkErasure>();
        foreach (var sink in config.Sinks)
        {
            try
            {
                sinks.Add(await grains.GetGrain<ISinkGrain>(GrainKeys.Sink(pipeline, sink.Name!, name)).EraseAsync(delete));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The grain did not answer (its silo went away, a timeout): this sink is not done; the others go on.
                sinks.Add(new SinkErasure(sink.Name!, "unknown", null, 0, $"the sink grain did not answer: {e.GetType().Name}: {e.Message}"));
            }
        }

        var others = await deadLetters.PurgeKeyAsync(pipeline, sink: null, name, RowKeys.Of(delete).Single(), cancellationToken);
        var keyColumns = keyIndexes.Select(i => schema.Columns[i].Name).ToList();
        return new ErasureReport(pipeline, name.ToString(), keyColumns, stillAtSource, stillAtSource ? StillAtSourceWarning : null, sinks, others);
    }

    private static TableName ParseTable(string table)
    {
        var dot = table.IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? new TableName("public", table) : new TableName(table[..dot], table[(dot + 1)..]);
        return name.Schema.Length == 0 || name.Name.Length == 0
            ? throw new ErasureRejectedException($"'{table}' is not a table name: write schema.table, or a bare name in public.")
            : name;
    }

    /// <summary>
    /// The key's values in key-column order, each as the source prints it (<c>007</c> for an integer becomes <c>7</c>), so
    /// they match what was replicated and dead-lettered. Errors name the column, never the value.
    /// </summary>
    private static async Task<string[]> NormalisedKeyAsync(NpgsqlConnection connection, TableSchema schema, List<int> keyIndexes, IReadOnlyList<ErasureKeyPart> key, CancellationToken cancellationToken)
    {
        var keyNames = keyIndexes.Select(i => schema.Columns[i].Name).ToList();
        var described = $"table {schema.Table} is keyed by ({string.Join(", ", keyNames)})";
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        if (key.Count == 1 && key[0].Column is null)
        {
            if (keyNames.Count != 1)
            {
                throw new ErasureRejectedException($"{described}: name every key column (--key column=value for each).");
            }

            given[keyNames[0]] = key[0].Value;
        }
        else
        {
            foreach (var part in key)
            {
                if (part.Column is null || !keyNames.Contains(part.Column, StringComparer.Ordinal))
                {
                    throw new ErasureRejectedException($"{described}: '{part.Column ?? "(unnamed value)"}' is not one of its key columns.");
                }

                if (!given.TryAdd(part.Column, part.Value))
                {
                    throw new ErasureRejectedException($"{described}: key column '{part.Column}' is given twice.");
                }
            }

            if (keyNames.FirstOrDefault(k => !given.ContainsKey(k)) is { } missing)
            {
                throw new ErasureRejectedException($"{described}: key column '{missing}' has no value.");
            }
        }

        var values = new string[keyIndexes.Count];
        for (var k = 0; k < keyIndexes.Count; k++)
        {
            var column = schema.Columns[keyIndexes[k]];
            // The type name is format_type's, read from the catalog (quoted where needed), never the caller's text.
            await using var command = new NpgsqlCommand($"SELECT CAST($1 AS {column.TypeName})::text", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = given[column.Name], NpgsqlDbType = NpgsqlDbType.Text });
            try
            {
                values[k] = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            }
            catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
            {
                throw new ErasureRejectedException($"the value given for key column '{column.Name}' of {schema.Table} is not a valid {column.TypeName} (SQLSTATE {e.SqlState}).");
            }
        }

        return values;
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, TableSchema schema, List<int> keyIndexes, string[] values, CancellationToken cancellationToken)
    {
        var where = string.Join(" AND ", keyIndexes.Select((i, k) => $"{PostgresIdentifier.Quote(schema.Columns[i].Name)} = ${k + 1}"));
        await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {PostgresIdentifier.Quote(schema.Table)} WHERE {where})", connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Unknown });
        }

        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
