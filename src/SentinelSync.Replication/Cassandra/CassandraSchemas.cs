using System.Collections.Concurrent;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// Creates a source table's Cassandra table when missing and adds the columns a newer schema brought
/// (<c>ALTER TABLE ADD</c>), once per schema version. Columns are matched by name: a renamed source column becomes a
/// new column (old rows keep their values under the old name), a dropped one stays. A column whose existing CQL type
/// differs from the mapping stops the table (<see cref="UnsupportedSchemaChangeException"/>): Cassandra cannot retype it.
/// </summary>
public sealed class CassandraSchemas(CassandraSinkOptions options)
{
    private readonly ConcurrentDictionary<(TableName Table, int Version), bool> _ensured = new();

    public async Task EnsureAsync(CqlSession session, CassandraTable table, CancellationToken cancellationToken)
    {
        var key = (table.Schema.Table, table.Schema.Version);
        if (_ensured.ContainsKey(key))
        {
            return;
        }

        var existing = await ExistingColumnsAsync(session, table, cancellationToken).ConfigureAwait(false);
        if (existing.Count == 0)
        {
            await session.QueryAsync(CassandraStatements.CreateTable(table), Ddl, cancellationToken).ConfigureAwait(false);
            await session.WaitForSchemaAgreementAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            CheckKey(table, existing);
            var added = false;
            foreach (var (name, _, cql) in table.TargetColumns)
            {
                if (!existing.TryGetValue(name, out var column))
                {
                    await session.QueryAsync(CassandraStatements.AddColumn(table, name, cql), Ddl, cancellationToken).ConfigureAwait(false);
                    added = true;
                }
                else if (!string.Equals(column.Type.Replace(" ", "", StringComparison.Ordinal), cql.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
                {
                    throw new UnsupportedSchemaChangeException(table.Schema.Table, $"column {name} is {column.Type} in Cassandra table {table.QuotedName} but the source column now maps to {cql}; Cassandra cannot change a column's type (drop the table there and resync)");
                }
            }

            if (added)
            {
                await session.WaitForSchemaAgreementAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        _ensured[key] = true;
    }

    private static QueryParameters Ddl => new() { Consistency = CqlConsistency.One };

    /// <summary>An existing table must have the key the configuration asks for: Cassandra cannot change a table's key.</summary>
    private static void CheckKey(CassandraTable table, Dictionary<string, ExistingColumn> existing)
    {
        string Names(string kind) => string.Join(", ", existing.Where(c => c.Value.Kind == kind).OrderBy(c => c.Value.Position).Select(c => c.Key));
        var partition = Names("partition_key");
        var clustering = Names("clustering");
        var wantedPartition = string.Join(", ", table.PartitionKey.Select(c => c.Name));
        var wantedClustering = string.Join(", ", table.ClusteringKey.Select(c => c.Name));
        if (partition != wantedPartition || clustering != wantedClustering)
        {
            throw new CassandraKeySplitException(
                $"Cassandra table {table.QuotedName} exists with PRIMARY KEY (({partition}){(clustering.Length > 0 ? ", " + clustering : "")}) but {table.Schema.Table} is configured as "
                + $"(({wantedPartition}){(wantedClustering.Length > 0 ? ", " + wantedClustering : "")}); Cassandra cannot change a table's key: set cassandra.tables.{table.Schema.Table} to the existing split, or drop the table there and resync");
        }
    }

    private async Task<Dictionary<string, ExistingColumn>> ExistingColumnsAsync(CqlSession session, CassandraTable table, CancellationToken cancellationToken)
    {
        var parameters = new QueryParameters
        {
            Consistency = CqlConsistency.One,
            Values = [CqlValue.Of(CqlValueCodec.Encode(CqlType.Varchar, options.Keyspace)), CqlValue.Of(CqlValueCodec.Encode(CqlType.Varchar, table.Name))],
        };
        var rows = (RowsResult)await session.QueryAsync(CassandraStatements.ExistingColumns, parameters, cancellationToken).ConfigureAwait(false);
        return rows.Rows.ToDictionary(
            r => (string)rows.Value(r, "column_name")!,
            r => new ExistingColumn((string)rows.Value(r, "type")!, (string)rows.Value(r, "kind")!, (int)rows.Value(r, "position")!),
            StringComparer.Ordinal);
    }

    private sealed record ExistingColumn(string Type, string Kind, int Position);
}
