using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// The CQL the sink sends, built from quoted identifiers only; values always travel as bound variables. Writes take
/// their timestamp as the last bound variable (<c>USING TIMESTAMP ?</c>).
/// </summary>
public static class CassandraStatements
{
    public const string OffsetsTable = "sentinel_offsets";

    public static string CreateKeyspace(string keyspace, string replication) =>
        $"CREATE KEYSPACE IF NOT EXISTS {CqlIdentifier.Quote(keyspace)} WITH replication = {replication}";

    /// <summary>PRIMARY KEY ((partition key), clustering columns): by default the whole source key partitions.</summary>
    public static string CreateTable(CassandraTable table)
    {
        var columns = string.Join(", ", table.TargetColumns.Select(c => $"{CqlIdentifier.Quote(c.Name)} {c.Cql}"));
        var partition = string.Join(", ", table.PartitionKey.Select(c => CqlIdentifier.Quote(c.Name)));
        var clustering = string.Concat(table.ClusteringKey.Select(c => ", " + CqlIdentifier.Quote(c.Name)));
        return $"CREATE TABLE IF NOT EXISTS {table.QuotedName} ({columns}, PRIMARY KEY (({partition}){clustering}))";
    }

    public static string AddColumn(CassandraTable table, string column, string cqlType) =>
        $"ALTER TABLE {table.QuotedName} ADD {CqlIdentifier.Quote(column)} {cqlType}";

    /// <summary>Every target column bound; a column whose value is <see cref="CqlValue.Unset"/> is left untouched.</summary>
    public static string Insert(CassandraTable table)
    {
        var columns = table.TargetColumns.Select(c => CqlIdentifier.Quote(c.Name)).ToList();
        return $"INSERT INTO {table.QuotedName} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(_ => "?"))}) USING TIMESTAMP ?";
    }

    public static string Delete(CassandraTable table) =>
        $"DELETE FROM {table.QuotedName} USING TIMESTAMP ? WHERE {KeyCondition(table)}";

    /// <summary>Reads the current values of a row (for a key move whose new row left TOASTed columns out).</summary>
    public static string SelectRow(CassandraTable table) =>
        $"SELECT {string.Join(", ", table.TargetColumns.Select(c => CqlIdentifier.Quote(c.Name)))} FROM {table.QuotedName} WHERE {KeyCondition(table)}";

    public static string Truncate(CassandraTable table) => $"TRUNCATE {table.QuotedName}";

    /// <summary>A table's columns with their kind (partition_key, clustering, regular) and position in the key.</summary>
    public static string ExistingColumns => "SELECT column_name, type, kind, position FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?";

    public static string CreateOffsets(string keyspace) =>
        $"CREATE TABLE IF NOT EXISTS {CqlIdentifier.Quote(keyspace)}.{OffsetsTable} (sink text, source_table text, lsn bigint, ordinal bigint, epoch bigint, reserved_timestamp bigint, PRIMARY KEY ((sink, source_table)))";

    public static string SelectOffset(string keyspace) =>
        $"SELECT lsn, ordinal, epoch, reserved_timestamp FROM {CqlIdentifier.Quote(keyspace)}.{OffsetsTable} WHERE sink = ? AND source_table = ?";

    public static string InsertOffset(string keyspace) =>
        $"INSERT INTO {CqlIdentifier.Quote(keyspace)}.{OffsetsTable} (sink, source_table, lsn, ordinal, epoch, reserved_timestamp) VALUES (?, ?, 0, 0, ?, 0) IF NOT EXISTS";

    /// <summary>Reserves timestamps (and claims the row for an epoch): applied only if no newer epoch wrote and nobody reserved meanwhile.</summary>
    public static string ReserveTimestamps(string keyspace) =>
        $"UPDATE {CqlIdentifier.Quote(keyspace)}.{OffsetsTable} SET reserved_timestamp = ?, epoch = ? WHERE sink = ? AND source_table = ? IF epoch <= ? AND reserved_timestamp = ?";

    /// <summary>Stores the applied position after the data (claiming the row for the epoch); applied only if no newer epoch owns it.</summary>
    public static string UpdateOffset(string keyspace) =>
        $"UPDATE {CqlIdentifier.Quote(keyspace)}.{OffsetsTable} SET lsn = ?, ordinal = ?, epoch = ? WHERE sink = ? AND source_table = ? IF epoch <= ?";

    private static string KeyCondition(CassandraTable table) =>
        string.Join(" AND ", table.Key.Select(c => $"{CqlIdentifier.Quote(c.Name)} = ?"));
}
