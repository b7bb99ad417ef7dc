namespace SentinelSync.Tests.Cassandra;

/// <summary>A row of <see cref="CassandraEmulator"/>: cells with their write timestamps, a row marker and a row tombstone (last write wins).</summary>
public sealed class EmulatedRow(Dictionary<string, byte[]> key)
{
    public long Marker { get; set; } = long.MinValue;

    public long Tombstone { get; set; } = long.MinValue;

    public Dictionary<string, (byte[]? Value, long Timestamp)> Cells { get; } = new(StringComparer.Ordinal);

    public void Write(string column, byte[]? value, long timestamp)
    {
        if (!Cells.TryGetValue(column, out var cell) || timestamp > cell.Timestamp)
        {
            Cells[column] = (value, timestamp);
        }
    }

    /// <summary>The row as a reader sees it (decoded), or null when a tombstone shadows everything.</summary>
    public Dictionary<string, object?>? Live(EmulatedTable table)
    {
        var cells = Cells.Where(c => c.Value.Timestamp > Tombstone).ToList();
        if (Marker <= Tombstone && cells.All(c => c.Value.Value is null))
        {
            return null;
        }

        var row = key.ToDictionary(k => k.Key, k => SentinelSync.Replication.Cassandra.Protocol.CqlValueCodec.Decode(table.Column(k.Key).Type, k.Value), StringComparer.Ordinal);
        foreach (var (column, (value, _)) in cells)
        {
            row[column] = value is null ? null : SentinelSync.Replication.Cassandra.Protocol.CqlValueCodec.Decode(table.Column(column).Type, value);
        }

        return row;
    }
}
