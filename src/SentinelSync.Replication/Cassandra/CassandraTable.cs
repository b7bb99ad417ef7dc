using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra;

/// <summary>A source table schema mapped onto its Cassandra table: every source column with its CQL type, the key first.</summary>
public sealed class CassandraTable
{
    public CassandraTable(string keyspace, TableSchema schema)
    {
        if (!schema.HasKey)
        {
            throw new KeylessTableException(schema.Table);
        }

        Keyspace = keyspace;
        Schema = schema;
        Name = CassandraSinkOptions.TargetOf(schema.Table);
        Columns = [.. schema.Columns.Select((c, i) => new CassandraColumn(i, c.Name, CassandraTypeMapping.Map(c.TypeName), c.IsKey))];
    }

    public string Keyspace { get; }

    public string Name { get; }

    public TableSchema Schema { get; }

    public IReadOnlyList<CassandraColumn> Columns { get; }

    public IEnumerable<CassandraColumn> Key => Columns.Where(c => c.IsKey);

    public string QuotedName => CqlIdentifier.Quote(Keyspace) + "." + CqlIdentifier.Quote(Name);

    /// <summary>Target columns with their CQL types (as DDL spells them), companions included, in write order.</summary>
    public IEnumerable<(string Name, CqlType Type, string Cql)> TargetColumns =>
        Columns.SelectMany(c => c.Type.HasMicrosCompanion
            ? new[] { (c.Name, c.Type.Type, CqlTypeOf(c)), (c.Name + CassandraColumnType.MicrosSuffix, CqlType.Bigint, "bigint") }
            : [(c.Name, c.Type.Type, CqlTypeOf(c))]);

    /// <summary>A key column's list is frozen: CQL keys cannot hold non-frozen collections.</summary>
    private static string CqlTypeOf(CassandraColumn column) =>
        column.IsKey && column.Type.Type.Code is CqlTypeCode.List ? $"frozen<{column.Type.Type.ToCql()}>" : column.Type.Type.ToCql();
}
