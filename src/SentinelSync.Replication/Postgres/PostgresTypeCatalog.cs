using Npgsql;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Catalog lookups the decoder needs beside the replication connection: <c>format_type</c> of a type OID and
/// modifier (cached: types do not change meaning once created) and a relation's primary-key columns (not
/// cached: read when a relation message arrives, which is when a table's shape may have changed), and its
/// attributes with their numbers (not cached either, for the same reason).
/// One connection, opened lazily; used by one decoder at a time.
/// </summary>
internal sealed class PostgresTypeCatalog : IAsyncDisposable
{
    private const string FormatTypesSql = "SELECT format_type(t.oid, t.typmod) FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS t(oid, typmod, n) ORDER BY t.n";

    private const string PrimaryKeySql = """
        SELECT a.attname::text
        FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = $1 AND i.indisprimary
        """;

    // Every attribute ever given a number in the table, dropped ones included (they keep their number, lose their
    // name and type): what tells a renamed column from a dropped one plus a new one.
    private const string AttributesSql = """
        SELECT a.attnum::int, a.attname::text, a.atttypid, a.atttypmod, a.attisdropped, a.attgenerated <> ''
        FROM pg_attribute a
        WHERE a.attrelid = $1 AND a.attnum > 0
        ORDER BY a.attnum
        """;

    private readonly string _connectionString;
    private readonly Dictionary<(uint Oid, int Modifier), string> _typeNames = [];
    private NpgsqlConnection? _connection;

    public PostgresTypeCatalog(string connectionString) => _connectionString = connectionString;

    /// <summary>The <c>format_type</c> spelling of each (OID, modifier), in order; one round trip for the uncached ones.</summary>
    public async Task<string[]> FormatTypesAsync(IReadOnlyList<(uint Oid, int Modifier)> types, CancellationToken cancellationToken)
    {
        var missing = types.Where(t => !_typeNames.ContainsKey(t)).Distinct().ToList();
        if (missing.Count > 0)
        {
            var connection = await ConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(FormatTypesSql, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = missing.Select(t => t.Oid).ToArray(), DataTypeName = "oid[]" });
            command.Parameters.Add(new NpgsqlParameter { Value = missing.Select(t => t.Modifier).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var i = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                _typeNames[missing[i++]] = reader.GetString(0);
            }
        }

        return types.Select(t => _typeNames[t]).ToArray();
    }

    /// <summary>Names of the primary-key columns of relation <paramref name="relationId"/>; empty without one.</summary>
    public async Task<HashSet<string>> PrimaryKeyAsync(uint relationId, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(PrimaryKeySql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = relationId, DataTypeName = "oid" });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    /// <summary>The attributes of relation <paramref name="relationId"/> as the catalog holds them now, in attribute-number order.</summary>
    public async Task<List<SourceAttribute>> AttributesAsync(uint relationId, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(AttributesSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = relationId, DataTypeName = "oid" });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var attributes = new List<SourceAttribute>();
        while (await reader.ReadAsync(cancellationToken))
        {
            attributes.Add(new SourceAttribute(reader.GetInt32(0), reader.GetString(1), reader.GetFieldValue<uint>(2), reader.GetInt32(3), reader.GetBoolean(4), reader.GetBoolean(5)));
        }

        return attributes;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task<NpgsqlConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            _connection = connection;
        }

        return _connection;
    }
}
