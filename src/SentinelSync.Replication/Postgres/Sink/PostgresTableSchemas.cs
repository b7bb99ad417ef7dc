using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Keeps a target table in step with the source schema, inside the caller's transaction (DDL is transactional
/// in Postgres, so a failed evolution leaves nothing behind). The last source schema applied to each target table
/// is stored in <c>"_sentinel".table_schemas</c>; a batch whose schema differs from it (and is not older) is
/// evolved from it with a <see cref="SchemaEvolutionPlan"/>. Changes to one target table are serialised with an
/// advisory transaction lock.
/// </summary>
internal sealed partial class PostgresTableSchemas(PostgresSinkOptions options, PostgresDestinationTypes? types, PostgresPendingKeys keys, ILogger logger)
{
    // Schemas whose target this sink saw committed: most batches carry the same shape, which then costs no query.
    private readonly ConcurrentDictionary<TableName, TableSchema> _committed = [];
    private readonly ConcurrentDictionary<TableName, IReadOnlyDictionary<string, string>> _columnTypes = [];
    private readonly ConcurrentDictionary<(TableName, string), bool> _blockedLogged = [];

    /// <summary>
    /// Creates or evolves the target of <paramref name="schema"/>; returns the target table name. With
    /// <paramref name="emptying"/> the caller truncates the target in the same transaction before writing rows.
    /// With <paramref name="keyLater"/> a table created here gets its primary key only when the snapshot load
    /// ends (<see cref="PostgresPendingKeys"/>).
    /// </summary>
    public async Task<TableName> EnsureAsync(NpgsqlConnection connection, TableSchema schema, CancellationToken cancellationToken, bool emptying = false, bool keyLater = false)
    {
        var target = options.TargetOf(schema.Table);
        if (_committed.TryGetValue(schema.Table, out var known) && Covers(known, schema))
        {
            return target;
        }

        var key = PostgresIdentifier.Quote(target);
        var stored = await ReadStoredAsync(connection, schema.Table, key, cancellationToken).ConfigureAwait(false);
        if (stored is not null && Covers(stored, schema))
        {
            // Same shape, or an older schema (a replay): rows are written by column name.
            return target;
        }

        await ScalarAsync<object>(connection, PostgresSinkSql.LockTargetTable, cancellationToken, key).ConfigureAwait(false);
        stored = await ReadStoredAsync(connection, schema.Table, key, cancellationToken).ConfigureAwait(false);
        if (stored is not null && Covers(stored, schema))
        {
            return target;
        }

        _columnTypes.TryRemove(target, out _);
        var exists = await ScalarAsync<bool>(connection, PostgresSinkSql.TableExists, cancellationToken, key).ConfigureAwait(false);
        if (!exists)
        {
            await CreateAsync(connection, target, schema, keyLater, cancellationToken).ConfigureAwait(false);
        }
        else if (stored is null)
        {
            await AdoptAsync(connection, target, schema, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await EvolveAsync(connection, target, stored, schema, emptying, cancellationToken).ConfigureAwait(false);
        }

        await ScalarAsync<object>(
            connection,
            PostgresSinkSql.UpsertTableSchema,
            cancellationToken,
            key,
            schema.Version,
            JsonSerializer.Serialize(schema.Columns)).ConfigureAwait(false);
        return target;
    }

    /// <summary>Whether <see cref="EnsureAsync"/> would return at once for <paramref name="schema"/> (its shape seen committed).</summary>
    public bool IsSettled(TableSchema schema) => _committed.TryGetValue(schema.Table, out var known) && Covers(known, schema);

    /// <summary>The column types <see cref="ColumnTypesAsync"/> read before, or null when it would have to query.</summary>
    public IReadOnlyDictionary<string, string>? KnownColumnTypes(TableName target) => _columnTypes.GetValueOrDefault(target);

    /// <summary>The transaction that ensured <paramref name="schema"/> committed: later batches of that shape skip the check.</summary>
    public void Committed(TableSchema schema) => _committed.AddOrUpdate(schema.Table, schema, (_, known) => known.Version > schema.Version ? known : schema);

    /// <summary>Forgets what was seen committed (after a failure: the destination may have been changed under us).</summary>
    public void Forget()
    {
        _committed.Clear();
        _columnTypes.Clear();
    }

    private async Task CreateAsync(NpgsqlConnection connection, TableName target, TableSchema schema, bool keyLater, CancellationToken cancellationToken)
    {
        var definitions = new List<string>();
        foreach (var column in schema.Columns)
        {
            var type = await CheckedTypeAsync(connection, schema.Table, column, cancellationToken).ConfigureAwait(false);
            definitions.Add($"{PostgresIdentifier.Quote(column.Name)} {type}");
        }

        var keyColumns = schema.Columns.Where(c => c.IsKey).Select(c => c.Name).ToList();
        if (schema.HasKey && !keyLater)
        {
            definitions.Add($"PRIMARY KEY ({PostgresIdentifier.List(keyColumns)})");
        }

        await ExecuteAsync(connection, Format(PostgresSinkSql.CreateSchemaTemplate, PostgresIdentifier.Quote(target.Schema)), cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, Format(PostgresSinkSql.CreateTableTemplate, PostgresIdentifier.Quote(target), string.Join(", ", definitions)), cancellationToken).ConfigureAwait(false);
        if (schema.HasKey && keyLater)
        {
            await keys.RecordAsync(connection, target, keyColumns, cancellationToken).ConfigureAwait(false);
        }

        LogTableCreated(logger, target, schema.Table, schema.Version);
    }

    /// <summary>A table that exists without a stored schema (made by hand, or by an older sink): add what is missing, check the key.</summary>
    private async Task AdoptAsync(NpgsqlConnection connection, TableName target, TableSchema schema, CancellationToken cancellationToken)
    {
        var existing = await ReadColumnsAsync(connection, target, cancellationToken).ConfigureAwait(false);
        await CheckPrimaryKeyAsync(connection, target, schema, cancellationToken).ConfigureAwait(false);
        foreach (var column in schema.Columns.Where(c => !existing.ContainsKey(c.Name)))
        {
            await AddColumnAsync(connection, target, schema.Table, column, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EvolveAsync(NpgsqlConnection connection, TableName target, TableSchema previous, TableSchema next, bool emptying, CancellationToken cancellationToken)
    {
        var plan = SchemaEvolutionPlan.Create(previous, next, emptying);
        var table = PostgresIdentifier.Quote(target);
        var droppedKey = plan.Dropped.FirstOrDefault(c => c.IsKey);
        if (droppedKey is not null)
        {
            throw new UnsupportedSchemaChangeException(next.Table, $"primary key column '{droppedKey.Name}' was dropped at the source (schema version {previous.Version} to {next.Version}); recreate the target table and resnapshot.");
        }

        var oldKey = plan.Kept.Where(k => k.Old.IsKey).Select(k => k.New.Name).Order(StringComparer.Ordinal).ToList();
        var newKey = next.Columns.Where(c => c.IsKey).Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
        if (!oldKey.SequenceEqual(newKey, StringComparer.Ordinal))
        {
            throw new UnsupportedSchemaChangeException(next.Table, $"the primary key changed from ({string.Join(", ", oldKey)}) to ({string.Join(", ", newKey)}) between schema versions {previous.Version} and {next.Version}; recreate the target table and resnapshot.");
        }

        foreach (var column in plan.Dropped)
        {
            var sql = options.DroppedColumns == DroppedColumnPolicy.Drop ? PostgresSinkSql.DropColumnTemplate : PostgresSinkSql.DropNotNullTemplate;
            await ExecuteAsync(connection, Format(sql, table, PostgresIdentifier.Quote(column.Name)), cancellationToken).ConfigureAwait(false);
        }

        // Renames go through temporary names so that swaps and chains (a→b, b→c) cannot collide.
        var renamed = plan.Renamed.ToList();
        for (var i = 0; i < renamed.Count; i++)
        {
            await ExecuteAsync(connection, Format(PostgresSinkSql.RenameColumnTemplate, table, PostgresIdentifier.Quote(renamed[i].Old.Name), PostgresIdentifier.Quote(TemporaryName(i))), cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < renamed.Count; i++)
        {
            await MoveAsideAsync(connection, target, renamed[i].New.Name, previous.Version, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, Format(PostgresSinkSql.RenameColumnTemplate, table, PostgresIdentifier.Quote(TemporaryName(i)), PostgresIdentifier.Quote(renamed[i].New.Name)), cancellationToken).ConfigureAwait(false);
        }

        foreach (var column in plan.Added)
        {
            await MoveAsideAsync(connection, target, column.Name, previous.Version, cancellationToken).ConfigureAwait(false);
            await AddColumnAsync(connection, target, next.Table, column, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (old, updated) in plan.Retyped)
        {
            var oldType = options.TypeOf(previous.Table, old);
            var newType = await CheckedTypeAsync(connection, next.Table, updated, cancellationToken).ConfigureAwait(false);
            if (oldType == newType)
            {
                continue;
            }

            try
            {
                await ExecuteAsync(connection, Format(PostgresSinkSql.AlterColumnTypeTemplate, table, PostgresIdentifier.Quote(updated.Name), newType), cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (!PostgresErrorClassifier.IsTransient(ex))
            {
                throw new IncompatibleColumnTypeChangeException(next.Table, updated.Name, oldType, newType, ex);
            }
        }

        LogSchemaEvolved(logger, target, previous.Version, next.Version, plan.Added.Count, plan.Dropped.Count, renamed.Count, plan.Retyped.Count());
    }

    /// <summary>
    /// A kept (dropped-at-source) column may hold the name a column is being added or renamed to: it steps aside
    /// as <c>name__dropped_vN</c> so that its data survives and the new column starts clean.
    /// </summary>
    private async Task MoveAsideAsync(NpgsqlConnection connection, TableName target, string name, int previousVersion, CancellationToken cancellationToken)
    {
        var existing = await ReadColumnsAsync(connection, target, cancellationToken).ConfigureAwait(false);
        if (existing.ContainsKey(name))
        {
            var aside = $"{name}__dropped_v{previousVersion.ToString(CultureInfo.InvariantCulture)}";
            await ExecuteAsync(connection, Format(PostgresSinkSql.RenameColumnTemplate, PostgresIdentifier.Quote(target), PostgresIdentifier.Quote(name), PostgresIdentifier.Quote(aside)), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AddColumnAsync(NpgsqlConnection connection, TableName target, TableName source, ColumnSchema column, CancellationToken cancellationToken)
    {
        var type = await CheckedTypeAsync(connection, source, column, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, Format(PostgresSinkSql.AddColumnTemplate, PostgresIdentifier.Quote(target), PostgresIdentifier.Quote(column.Name), type), cancellationToken).ConfigureAwait(false);
    }

    private static async Task CheckPrimaryKeyAsync(NpgsqlConnection connection, TableName target, TableSchema schema, CancellationToken cancellationToken)
    {
        var destinationKey = new List<string>();
        await using (var command = new NpgsqlCommand(PostgresSinkSql.SelectDestinationPrimaryKey, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = PostgresIdentifier.Quote(target) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                destinationKey.Add(reader.GetString(0));
            }
        }

        var sourceKey = schema.Columns.Where(c => c.IsKey).Select(c => c.Name).ToList();
        if (sourceKey.Count > 0 && !destinationKey.Order(StringComparer.Ordinal).SequenceEqual(sourceKey.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            throw new UnsupportedSchemaChangeException(
                schema.Table,
                $"the existing destination table {target} has primary key ({string.Join(", ", destinationKey)}) but the source key is ({string.Join(", ", sourceKey)}); give it the source's key or drop it.");
        }
    }

    /// <summary>
    /// The destination spelling of the column's type, after checking the destination has it; a missing type is
    /// created from the source's definition when the sink can read it (<see cref="PostgresDestinationTypes"/>).
    /// </summary>
    /// <exception cref="TableBlockedException">The type is missing and could not be created: the table waits for an operator.</exception>
    private async Task<string> CheckedTypeAsync(NpgsqlConnection connection, TableName source, ColumnSchema column, CancellationToken cancellationToken)
    {
        var type = options.TypeOf(source, column);
        var exists = await TypeExistsAsync(connection, type, cancellationToken).ConfigureAwait(false);
        if (exists == true)
        {
            return type;
        }

        // Only the source's own type can be created from its definition, not a mapped name (nor after an
        // error, which aborted the transaction).
        if (exists is null || types is null || column.TypeOid == 0 || !string.Equals(type, column.TypeName, StringComparison.Ordinal))
        {
            throw Blocked(source, column, type, $"create type {type} at the destination, or map it (for example to text) with {nameof(PostgresSinkOptions)}.{nameof(PostgresSinkOptions.TypeNameMapping)}.");
        }

        try
        {
            await types.EnsureAsync(connection, column.TypeOid, cancellationToken).ConfigureAwait(false);
        }
        catch (TypeCreationFailedException e)
        {
            throw Blocked(source, column, type, $"run `{e.Statement}` at the destination as a role allowed to (a superuser for an untrusted extension; install the extension's package there first if it is missing), or map the type with {nameof(PostgresSinkOptions)}.{nameof(PostgresSinkOptions.TypeNameMapping)}. The table resumes by itself at its next retry.", e);
        }

        return await TypeExistsAsync(connection, type, cancellationToken).ConfigureAwait(false) == true
            ? type
            : throw Blocked(source, column, type, $"create type {type} at the destination (it was created from the source's definition under another name: check the destination's search_path).");
    }

    private TableBlockedException Blocked(TableName source, ColumnSchema column, string type, string fix, Exception? inner = null)
    {
        var missing = new MissingDestinationTypeException(source, column.Name, type, fix, inner);
        if (_blockedLogged.TryAdd((source, type), true))
        {
            // Once per table and type: the sink retries the table every few seconds until it is fixed.
            LogTypeBlocked(logger, source, column.Name, type, missing.Message);
        }

        return new TableBlockedException(source, missing.Message, missing);
    }

    /// <summary>Null when the name is not even a type name at the destination (to_regtype raises a syntax error).</summary>
    private static async Task<bool?> TypeExistsAsync(NpgsqlConnection connection, string type, CancellationToken cancellationToken)
    {
        try
        {
            return await ScalarAsync<bool>(connection, PostgresSinkSql.TypeExists, cancellationToken, type).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.SyntaxError or PostgresErrorCodes.InvalidSchemaName or PostgresErrorCodes.UndefinedObject)
        {
            return null;
        }
    }

    /// <summary>
    /// The destination's column types (<c>format_type</c> with modifiers) of <paramref name="target"/>: key
    /// predicates cast their text parameters to them, since a parameter of unknown type compared with a
    /// composite (or other polymorphic-matching) column would be read as an anonymous record. Cached until
    /// <see cref="Forget"/> or a schema change of the target.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> ColumnTypesAsync(NpgsqlConnection connection, TableName target, CancellationToken cancellationToken)
    {
        if (_columnTypes.TryGetValue(target, out var known))
        {
            return known;
        }

        var columns = await ReadColumnsAsync(connection, target, cancellationToken).ConfigureAwait(false);
        var types = columns.ToDictionary(c => c.Key, c => c.Value.Type, StringComparer.Ordinal);
        _columnTypes[target] = types;
        return types;
    }

    private static async Task<Dictionary<string, (string Type, bool NotNull)>> ReadColumnsAsync(NpgsqlConnection connection, TableName target, CancellationToken cancellationToken)
    {
        var columns = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(PostgresSinkSql.SelectDestinationColumns, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = PostgresIdentifier.Quote(target) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            columns[reader.GetString(0)] = (reader.GetString(1), reader.GetBoolean(2));
        }

        return columns;
    }

    private static async Task<TableSchema?> ReadStoredAsync(NpgsqlConnection connection, TableName source, string key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresSinkSql.SelectTableSchema, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var columns = JsonSerializer.Deserialize<List<ColumnSchema>>(reader.GetString(1))
            ?? throw new InvalidOperationException($"\"_sentinel\".table_schemas holds no columns for {key}.");
        return new TableSchema(source, reader.GetInt32(0), columns);
    }

    /// <summary>A target at <paramref name="stored"/> takes rows of <paramref name="schema"/> as it is: same shape, or a newer one (rows are written by column name).</summary>
    private static bool Covers(TableSchema stored, TableSchema schema) => stored.Version > schema.Version || stored.Columns.SequenceEqual(schema.Columns);

    private static string TemporaryName(int index) => $"__sentinel_rename_{index.ToString(CultureInfo.InvariantCulture)}";

    private static string Format(string template, params object[] arguments) => string.Format(CultureInfo.InvariantCulture, template, arguments);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
