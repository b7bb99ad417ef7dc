using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Creates and evolves target tables. The last source schema applied to each target is stored in the control
/// database (<c>sentinel.clickhouse_table_schemas</c>), written after ClickHouse's DDL succeeded; the DDL is not
/// transactional, so every step checks <c>system.columns</c> first and a retried evolution picks up where a
/// failed one stopped. Changes to one target are serialised by an advisory lock in the caller's transaction.
/// Policy as the Postgres sink's: added columns are added, dropped columns kept (their parts are Nullable
/// already) or dropped, renamed columns follow — 18.16 has no RENAME COLUMN, so the new name is added with the
/// old column as DEFAULT (old rows read through it) and the old column stays, NULL for new rows.
/// </summary>
internal sealed partial class ClickHouseTableSchemas(ClickHouseSinkOptions options, ClickHouseHttp http, ILogger logger)
{
    private readonly ConcurrentDictionary<(string Target, int Version), ClickHouseTable> _ensured = new();

    public ClickHouseTable Describe(TableSchema schema) => new(
        options.Database,
        ClickHouseSinkOptions.TargetOf(schema.Table),
        schema,
        schema.Columns.Select(c => ClickHouseTypeMapping.Map(c, options.TypeNameOf(schema.Table, c))).ToList());

    /// <summary>Creates or evolves the target of <paramref name="schema"/> and returns how rows of that schema are written.</summary>
    /// <remarks>With <paramref name="emptying"/> the caller truncates the table before writing rows of <paramref name="schema"/>.</remarks>
    public async Task<ClickHouseTable> EnsureAsync(NpgsqlConnection control, TableSchema schema, CancellationToken cancellationToken, bool emptying = false)
    {
        var table = Describe(schema);
        if (_ensured.TryGetValue((table.Name, schema.Version), out var known) && known.Schema.Columns.SequenceEqual(schema.Columns))
        {
            return known;
        }

        var key = options.Database + "." + table.Name;
        var stored = await ReadStoredAsync(control, schema.Table, key, cancellationToken).ConfigureAwait(false);
        if (stored is null || (stored.Version <= schema.Version && !stored.Columns.SequenceEqual(schema.Columns)))
        {
            await Scalar(control, ClickHouseSinkSql.LockTargetTable, cancellationToken, key).ConfigureAwait(false);
            stored = await ReadStoredAsync(control, schema.Table, key, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                await CreateAsync(table, cancellationToken).ConfigureAwait(false);
            }
            else if (stored.Version <= schema.Version && !stored.Columns.SequenceEqual(schema.Columns))
            {
                await EvolveAsync(Describe(stored), table, emptying, cancellationToken).ConfigureAwait(false);
            }

            await Scalar(control, ClickHouseSinkSql.UpsertTableSchema, cancellationToken, key, schema.Version, JsonSerializer.Serialize(schema.Columns)).ConfigureAwait(false);
        }
        else
        {
            // A table made before a mapping gained a part (the __text fallbacks) gets it once per process.
            await AddMissingPartsAsync(table, cancellationToken).ConfigureAwait(false);
        }

        // Said once per table and schema version per process, so every pipeline start repeats it.
        foreach (var mapping in table.Mappings.Where(m => m.Limitation is not null))
        {
            LogColumnLimitation(logger, schema.Table, mapping.Source.Name, mapping.SourceType, mapping.Limitation!);
        }

        _ensured[(table.Name, schema.Version)] = table;
        return table;
    }

    /// <summary>The target of <paramref name="source"/> as last created or evolved (stored schema), or null when none was made.</summary>
    public async Task<ClickHouseTable?> DescribeStoredAsync(NpgsqlConnection control, TableName source, CancellationToken cancellationToken)
    {
        var key = options.Database + "." + ClickHouseSinkOptions.TargetOf(source);
        var stored = await ReadStoredAsync(control, source, key, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Describe(stored);
    }

    private async Task CreateAsync(ClickHouseTable table, CancellationToken cancellationToken)
    {
        await http.ExecuteServerAsync(Format(ClickHouseSinkSql.CreateDatabaseTemplate, ClickHouseIdentifier.Quote(options.Database)), cancellationToken).ConfigureAwait(false);
        var parts = table.Mappings.SelectMany(m => m.Parts).ToList();
        var existing = await ReadColumnsAsync(table.Name, cancellationToken).ConfigureAwait(false);
        if (existing.Count == 0)
        {
            var definitions = parts.Select(p => ClickHouseIdentifier.Quote(p.Name) + " " + p.Type).ToList();
            string sql;
            if (table.Schema.HasKey)
            {
                definitions.Add(ClickHouseIdentifier.Quote(ClickHouseSinkSql.VersionColumn) + " UInt64");
                definitions.Add(ClickHouseIdentifier.Quote(ClickHouseSinkSql.DeletedColumn) + " UInt8");
                sql = Format(ClickHouseSinkSql.CreateReplacingTableTemplate, table.QuotedName, string.Join(", ", definitions), ClickHouseIdentifier.Quote(ClickHouseSinkSql.VersionColumn), ClickHouseIdentifier.List(table.KeyParts.Select(p => p.Name)));
            }
            else
            {
                sql = Format(ClickHouseSinkSql.CreateKeylessTableTemplate, table.QuotedName, string.Join(", ", definitions));
            }

            await http.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
            LogTableCreated(logger, table.Name, table.Schema.Table, table.Schema.Version);
        }
        else
        {
            foreach (var part in parts.Where(p => !existing.ContainsKey(p.Name)))
            {
                await http.QueryAsync(Format(ClickHouseSinkSql.AddColumnTemplate, table.QuotedName, ClickHouseIdentifier.Quote(part.Name), part.Type), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task AddMissingPartsAsync(ClickHouseTable table, CancellationToken cancellationToken)
    {
        var existing = await ReadColumnsAsync(table.Name, cancellationToken).ConfigureAwait(false);
        foreach (var part in table.Mappings.SelectMany(m => m.Parts).Where(p => !existing.ContainsKey(p.Name)))
        {
            await http.QueryAsync(Format(ClickHouseSinkSql.AddColumnTemplate, table.QuotedName, ClickHouseIdentifier.Quote(part.Name), part.Type), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EvolveAsync(ClickHouseTable previous, ClickHouseTable next, bool emptying, CancellationToken cancellationToken)
    {
        var plan = SchemaEvolutionPlan.Create(previous.Schema, next.Schema, emptying);
        var source = next.Schema.Table;
        if (plan.Dropped.FirstOrDefault(c => c.IsKey) is { } droppedKey)
        {
            throw new UnsupportedSchemaChangeException(source, $"primary key column '{droppedKey.Name}' was dropped at the source; recreate the ClickHouse table and resnapshot.");
        }

        var oldKey = plan.Kept.Where(k => k.Old.IsKey).Select(k => k.New.Name).Order(StringComparer.Ordinal);
        var newKey = next.Schema.Columns.Where(c => c.IsKey).Select(c => c.Name).Order(StringComparer.Ordinal);
        if (!oldKey.SequenceEqual(newKey, StringComparer.Ordinal) || plan.Renamed.Any(r => r.New.IsKey))
        {
            throw new UnsupportedSchemaChangeException(source, "the primary key changed (ClickHouse's ORDER BY cannot follow); recreate the ClickHouse table and resnapshot.");
        }

        var existing = await ReadColumnsAsync(next.Name, cancellationToken).ConfigureAwait(false);
        var byName = next.Mappings.ToDictionary(m => m.Source.Name, StringComparer.Ordinal);
        var oldByName = previous.Mappings.ToDictionary(m => m.Source.Name, StringComparer.Ordinal);
        if (options.DroppedColumns == DroppedColumnPolicy.Drop)
        {
            foreach (var part in plan.Dropped.SelectMany(c => oldByName[c.Name].Parts).Where(p => existing.ContainsKey(p.Name)))
            {
                await http.QueryAsync(Format(ClickHouseSinkSql.DropColumnTemplate, next.QuotedName, ClickHouseIdentifier.Quote(part.Name)), cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var (old, renamed) in plan.Renamed)
        {
            var oldParts = oldByName[old.Name].Parts;
            var newParts = byName[renamed.Name].Parts;
            for (var i = 0; i < newParts.Count; i++)
            {
                if (existing.TryGetValue(newParts[i].Name, out var type))
                {
                    if (type == newParts[i].Type)
                    {
                        continue;
                    }

                    throw new UnsupportedSchemaChangeException(source, $"column '{old.Name}' was renamed to '{renamed.Name}', but the ClickHouse table already has a column '{newParts[i].Name}' ({type}) and 18.16 cannot rename columns.");
                }

                var sameType = i < oldParts.Count && oldParts[i].Type == newParts[i].Type && existing.ContainsKey(oldParts[i].Name);
                var sql = sameType
                    ? Format(ClickHouseSinkSql.AddRenamedColumnTemplate, next.QuotedName, ClickHouseIdentifier.Quote(newParts[i].Name), newParts[i].Type, ClickHouseIdentifier.Quote(oldParts[i].Name))
                    : Format(ClickHouseSinkSql.AddColumnTemplate, next.QuotedName, ClickHouseIdentifier.Quote(newParts[i].Name), newParts[i].Type);
                await http.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var part in plan.Added.SelectMany(c => byName[c.Name].Parts))
        {
            if (!existing.TryGetValue(part.Name, out var type))
            {
                await http.QueryAsync(Format(ClickHouseSinkSql.AddColumnTemplate, next.QuotedName, ClickHouseIdentifier.Quote(part.Name), part.Type), cancellationToken).ConfigureAwait(false);
            }
            else if (type != part.Type)
            {
                throw new UnsupportedSchemaChangeException(source, $"column '{part.Name}' was added as {part.Type}, but the ClickHouse table keeps a dropped column of that name as {type}; rename or drop it there.");
            }
        }

        foreach (var (old, retyped) in plan.Retyped.Where(r => r.Old.Name == r.New.Name))
        {
            var oldParts = oldByName[old.Name].Parts;
            var newParts = byName[retyped.Name].Parts;
            if (!oldParts.Select(p => p.Name).SequenceEqual(newParts.Select(p => p.Name), StringComparer.Ordinal))
            {
                throw new UnsupportedSchemaChangeException(source, $"column '{old.Name}' changed type from {old.TypeName} to {retyped.TypeName}, which changes its ClickHouse parts; recreate the table and resnapshot.");
            }

            foreach (var part in newParts.Where(p => existing.TryGetValue(p.Name, out var type) && type != p.Type))
            {
                await http.QueryAsync(Format(ClickHouseSinkSql.ModifyColumnTemplate, next.QuotedName, ClickHouseIdentifier.Quote(part.Name), part.Type), cancellationToken).ConfigureAwait(false);
            }
        }

        LogSchemaEvolved(logger, next.Name, previous.Schema.Version, next.Schema.Version, plan.Added.Count, plan.Dropped.Count, plan.Renamed.Count());
    }

    private async Task<Dictionary<string, string>> ReadColumnsAsync(string table, CancellationToken cancellationToken)
    {
        var text = await http.QueryAsync(Format(ClickHouseSinkSql.SelectColumnsTemplate, ClickHouseEscaping.Quoted(options.Database), ClickHouseEscaping.Quoted(table)), cancellationToken).ConfigureAwait(false);
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            columns[ClickHouseEscaping.UnescapeTsv(line.AsSpan(0, tab))!] = ClickHouseEscaping.UnescapeTsv(line.AsSpan(tab + 1))!;
        }

        return columns;
    }

    private static async Task<TableSchema?> ReadStoredAsync(NpgsqlConnection control, TableName source, string key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ClickHouseSinkSql.SelectTableSchema, control);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var columns = JsonSerializer.Deserialize<List<ColumnSchema>>(reader.GetString(1))
            ?? throw new InvalidOperationException($"sentinel.clickhouse_table_schemas holds no columns for {key}.");
        return new TableSchema(source, reader.GetInt32(0), columns);
    }

    private static async Task Scalar(NpgsqlConnection control, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, control);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Format(string template, params object[] arguments) => string.Format(CultureInfo.InvariantCulture, template, arguments);
}
