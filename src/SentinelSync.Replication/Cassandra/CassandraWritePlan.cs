using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// The statements of a batch's changes, in source order, with their timestamps (<see cref="CassandraWriteTimestamps"/>)
/// and every value already converted: a value Cassandra cannot hold fails the plan before anything is written.
/// </summary>
public sealed class CassandraWritePlan
{
    private CassandraWritePlan(IReadOnlyList<CassandraWrite> writes, long lastTimestamp)
    {
        Writes = writes;
        LastTimestamp = lastTimestamp;
    }

    public IReadOnlyList<CassandraWrite> Writes { get; }

    /// <summary>The highest timestamp used (the reservation to store); the starting reservation when nothing is written.</summary>
    public long LastTimestamp { get; }

    /// <param name="splits">Configured key splits by source table (<c>schema.table</c>); a table not in it partitions by its whole key.</param>
    public static CassandraWritePlan Build(string keyspace, IReadOnlyList<RowChange> changes, long reservedTimestamp, IReadOnlyDictionary<string, CassandraTableOptions>? splits = null)
    {
        var stamps = new CassandraWriteTimestamps(reservedTimestamp);
        var tables = new Dictionary<TableSchema, CassandraTable>(ReferenceEqualityComparer.Instance);
        var writes = new List<CassandraWrite>(changes.Count);
        foreach (var change in changes)
        {
            if (!tables.TryGetValue(change.Schema, out var table))
            {
                table = new CassandraTable(keyspace, change.Schema, splits?.GetValueOrDefault(change.Schema.Table.ToString()));
                tables[change.Schema] = table;
            }

            var timestamp = stamps.Next(change.Position);
            try
            {
                AddWrites(writes, table, change, timestamp);
            }
            catch (CassandraValueException e)
            {
                throw new CassandraValueException($"Table {change.Schema.Table}, change at {change.Position}: {e.Message}");
            }
        }

        return new CassandraWritePlan(writes, stamps.Last);
    }

    private static void AddWrites(List<CassandraWrite> writes, CassandraTable table, RowChange change, long timestamp)
    {
        switch (change.Kind)
        {
            case ChangeKind.Truncate:
                writes.Add(new CassandraWrite(table, CassandraWriteKind.Truncate, timestamp, [], ""));
                break;
            case ChangeKind.Delete:
                writes.Add(Delete(table, change.OldKey ?? throw new InvalidOperationException($"a delete of {change.Schema.Table} at {change.Position} without its key"), timestamp));
                break;
            default:
                var moved = change.OldKey is { } oldKey && table.Key.Any(k => !oldKey[k.SourceIndex].Equals(change.Values[k.SourceIndex]));
                var insert = Insert(table, change.Values, timestamp);
                if (!moved)
                {
                    writes.Add(insert);
                    break;
                }

                // The old key's row is deleted; a new row that left TOASTed columns out reads them from it first.
                var delete = Delete(table, change.OldKey!, timestamp);
                if (change.Values.Any(v => v.IsUnchanged))
                {
                    writes.Add(insert with { FillFromKey = delete.Values[1..] });
                    writes.Add(delete);
                }
                else
                {
                    writes.Add(delete);
                    writes.Add(insert);
                }

                break;
        }
    }

    private static CassandraWrite Insert(CassandraTable table, ColumnValue[] row, long timestamp)
    {
        var values = new List<CqlValue>(table.Columns.Count * 2 + 1);
        foreach (var column in table.Columns)
        {
            var value = row[column.SourceIndex];
            if (value.IsUnchanged)
            {
                values.Add(CqlValue.Unset);
                if (column.Type.HasMicrosCompanion)
                {
                    values.Add(CqlValue.Unset);
                }

                continue;
            }

            values.Add(value.IsNull ? CqlValue.Null : CqlValue.Of(CqlValueCodec.Encode(column.Type.Type, CassandraValueConverter.Convert(column.Type, value.Text!))));
            if (column.Type.HasMicrosCompanion)
            {
                values.Add(value.IsNull ? CqlValue.Null : CqlValue.Of(CqlValueCodec.Encode(CqlType.Bigint, CassandraValueConverter.TimestampMicros(value.Text!))));
            }
        }

        values.Add(CqlValue.Of(CqlValueCodec.Encode(CqlType.Bigint, timestamp)));
        return new CassandraWrite(table, CassandraWriteKind.Insert, timestamp, [.. values], Partition(table, row));
    }

    private static CassandraWrite Delete(CassandraTable table, ColumnValue[] key, long timestamp)
    {
        CqlValue[] values = [CqlValue.Of(CqlValueCodec.Encode(CqlType.Bigint, timestamp)), .. table.Key.Select(k => KeyValue(k, key))];
        return new CassandraWrite(table, CassandraWriteKind.Delete, timestamp, values, Partition(table, key));
    }

    private static CqlValue KeyValue(CassandraColumn column, ColumnValue[] row)
    {
        var value = row[column.SourceIndex];
        return value.IsNull || value.IsUnchanged
            ? throw new CassandraValueException($"key column {column.Name} is {(value.IsNull ? "NULL" : "unchanged")}")
            : CqlValue.Of(CqlValueCodec.Encode(column.Type.Type, CassandraValueConverter.Convert(column.Type, value.Text!)));
    }

    /// <summary>
    /// The partition's routing key (partition key columns only, as Cassandra composes it) as hex: what groups writes
    /// into per-partition batches; rows that differ only in clustering columns share it.
    /// </summary>
    private static string Partition(CassandraTable table, ColumnValue[] row) =>
        table.Name + "/" + Convert.ToHexString(Murmur3Token.RoutingKey([.. table.PartitionKey.Select(k => KeyValue(k, row).Bytes!)]));
}
