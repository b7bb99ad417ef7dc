using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Tests.Cassandra;

/// <summary>A table of <see cref="CassandraEmulator"/>: columns as CQL spells their types, the key, rows by key bytes.</summary>
public sealed class EmulatedTable(List<(string Name, string Type)> columns, List<string> key)
{
    public List<(string Name, string Type)> Columns { get; } = columns;

    /// <summary>Partition key columns, then clustering columns.</summary>
    public List<string> Key { get; } = key;

    public int PartitionKeyCount { get; init; } = key.Count;

    /// <summary>As system_schema.columns says: partition_key, clustering or regular.</summary>
    public string KindOf(string column) => Key.IndexOf(column) is var i && i < 0 ? "regular" : i < PartitionKeyCount ? "partition_key" : "clustering";

    /// <summary>As system_schema.columns says: the place in the partition key or among the clustering columns, -1 for others.</summary>
    public int PositionOf(string column) => Key.IndexOf(column) is var i && i < 0 ? -1 : i < PartitionKeyCount ? i : i - PartitionKeyCount;

    public Dictionary<string, EmulatedRow> Rows { get; } = new(StringComparer.Ordinal);

    public (string Name, CqlType Type) Column(string name) => (name, Parse(Columns.Single(c => c.Name == name).Type));

    public EmulatedRow Row(IEnumerable<byte[]> keyValues)
    {
        var values = keyValues.ToList();
        var id = string.Join("/", values.Select(Convert.ToHexString));
        if (!Rows.TryGetValue(id, out var row))
        {
            row = new EmulatedRow(Key.Zip(values).ToDictionary(p => p.First, p => p.Second));
            Rows[id] = row;
        }

        return row;
    }

    public static CqlType Parse(string type)
    {
        type = type.Trim();
        if (type.StartsWith("frozen<", StringComparison.Ordinal))
        {
            return Parse(type["frozen<".Length..^1]);
        }

        if (type.StartsWith("list<", StringComparison.Ordinal))
        {
            return CqlType.ListOf(Parse(type["list<".Length..^1]));
        }

        return type switch
        {
            "text" => CqlType.Varchar,
            "int" => CqlType.Int,
            "bigint" => CqlType.Bigint,
            "smallint" => CqlType.Smallint,
            "decimal" => CqlType.Decimal,
            "double" => CqlType.Double,
            "float" => CqlType.Float,
            "boolean" => CqlType.Boolean,
            "blob" => CqlType.Blob,
            "uuid" => CqlType.Uuid,
            "date" => CqlType.Date,
            "time" => CqlType.Time,
            "timestamp" => CqlType.Timestamp,
            _ => throw new InvalidOperationException($"the emulator does not know CQL type '{type}'"),
        };
    }
}
