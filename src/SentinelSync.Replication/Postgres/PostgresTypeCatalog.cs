using Npgsql;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Catalog lookups the decoder needs beside the replication connection: <c>format_type</c> of a type OID and
/// modifier (cached: types do not change meaning once created) and a relation's primary-key columns (not
/// cached: read when a relation message arrives, which is when a table's shape may have changed).
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
