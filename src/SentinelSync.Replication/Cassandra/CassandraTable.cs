using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// A source table schema mapped onto its Cassandra table: every source column with its CQL type, and the source primary
/// key split into partition key and clustering columns (by default all of it is the partition key).
/// </summary>
public sealed class CassandraTable
{
    /// <param name="split">The configured split, or null; it must name exactly the source primary key's columns.</param>
    public CassandraTable(string keyspace, TableSchema schema, CassandraTableOptions? split = null)
    {
        if (!schema.HasKey)
        {
            throw new KeylessTableException(schema.Table);
        }

        Keyspace = keyspace;
        Schema = schema;
        Name = CassandraSinkOptions.TargetOf(schema.Table);
        Columns = [.. schema.Columns.Select((c, i) => new CassandraColumn(i, c.Name, CassandraTypeMapping.Map(c.TypeName), c.IsKey))];
        var sourceKey = Columns.Where(c => c.IsKey).ToList();
        if (split is null)
        {
            PartitionKey = sourceKey;
            ClusteringKey = [];
        }
        else
        {
            CheckSplit(split, sourceKey);
            PartitionKey = [.. split.PartitionKey.Select(n => sourceKey.Single(c => c.Name == n))];
            ClusteringKey = [.. split.ClusteringKey.Select(n => sourceKey.Single(c => c.Name == n))];
        }
    }

    public string Keyspace { get; }

    public string Name { get; }

    public TableSchema Schema { get; }

    public IReadOnlyList<CassandraColumn> Columns { get; }

    /// <summary>The columns whose values choose the partition (and so the replicas and the write batch), in order.</summary>
    public IReadOnlyList<CassandraColumn> PartitionKey { get; }

    /// <summary>The columns that identify a row inside its partition, in order (none by default).</summary>
    public IReadOnlyList<CassandraColumn> ClusteringKey { get; }

    /// <summary>The whole Cassandra primary key: partition key columns, then clustering columns.</summary>
    public IEnumerable<CassandraColumn> Key => PartitionKey.Concat(ClusteringKey);

    public string QuotedName => CqlIdentifier.Quote(Keyspace) + "." + CqlIdentifier.Quote(Name);

    /// <summary>Target columns with their CQL types (as DDL spells them), companions included, in write order.</summary>
    public IEnumerable<(string Name, CqlType Type, string Cql)> TargetColumns =>
        Columns.SelectMany(c => c.Type.HasMicrosCompanion
            ? new[] { (c.Name, c.Type.Type, CqlTypeOf(c)), (c.Name + CassandraColumnType.MicrosSuffix, CqlType.Bigint, "bigint") }
            : [(c.Name, c.Type.Type, CqlTypeOf(c))]);

    /// <summary>A key column's list is frozen: CQL keys cannot hold non-frozen collections.</summary>
    private static string CqlTypeOf(CassandraColumn column) =>
        column.IsKey && column.Type.Type.Code is CqlTypeCode.List ? $"frozen<{column.Type.Type.ToCql()}>" : column.Type.Type.ToCql();

    private void CheckSplit(CassandraTableOptions split, List<CassandraColumn> sourceKey)
    {
        var configured = split.PartitionKey.Concat(split.ClusteringKey).ToList();
        var missing = sourceKey.Select(c => c.Name).Where(n => !configured.Contains(n, StringComparer.Ordinal)).ToList();
        var extra = configured.Where(n => !sourceKey.Any(c => c.Name == n)).ToList();
        var twice = configured.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (split.PartitionKey.Count > 0 && missing.Count == 0 && extra.Count == 0 && twice.Count == 0)
        {
            return;
        }

        var problems = new List<string>();
        if (split.PartitionKey.Count == 0)
        {
            problems.Add("partitionKey is empty");
        }

        if (missing.Count > 0)
        {
            problems.Add($"primary key column(s) {string.Join(", ", missing)} are in neither list");
        }

        if (extra.Count > 0)
        {
            problems.Add($"{string.Join(", ", extra)} {(extra.Count == 1 ? "is" : "are")} not in the primary key");
        }

        if (twice.Count > 0)
        {
            problems.Add($"{string.Join(", ", twice)} named twice");
        }

        throw new CassandraKeySplitException(
            $"cassandra.tables.{Schema.Table}: partitionKey [{string.Join(", ", split.PartitionKey)}] + clusteringKey [{string.Join(", ", split.ClusteringKey)}] "
            + $"must name exactly the primary key of {Schema.Table} ({string.Join(", ", sourceKey.Select(c => c.Name))}): {string.Join("; ", problems)}");
    }
}
