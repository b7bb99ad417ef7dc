namespace SentinelSync.Replication.Sinks;

/// <summary>
/// The net effect of consecutive changes that share one table schema, ready to apply set-based. Every key
/// appears at most once across <see cref="Deletes"/> and <see cref="Upserts"/>, so their order does not matter.
/// Applied in this order: <see cref="Truncate"/>, <see cref="Move"/>, <see cref="Deletes"/>,
/// <see cref="Upserts"/> (keyed tables) or <see cref="Inserts"/> (keyless tables).
/// </summary>
internal sealed class ApplySegment(TableSchema schema)
{
    public TableSchema Schema { get; } = schema;

    /// <summary>Position of the last change folded into the segment: the state of every key in it is the state there.</summary>
    public Position Through { get; set; }

    /// <summary>The table is truncated before anything else of the segment.</summary>
    public bool Truncate { get; set; }

    /// <summary>At most one key move, applied first (after the truncate).</summary>
    public KeyMove? Move { get; set; }

    /// <summary>Rows in schema order with the key columns set (other columns NULL).</summary>
    public List<ColumnValue[]> Deletes { get; } = [];

    /// <summary>Rows in schema order; an unchanged column keeps the destination's value.</summary>
    public List<ColumnValue[]> Upserts { get; } = [];

    /// <summary>Rows of a keyless table, in source order.</summary>
    public List<ColumnValue[]> Inserts { get; } = [];

    /// <summary>Every row came from a snapshot copy (after a truncate, if any): most likely new to the destination.</summary>
    public bool SnapshotOnly { get; set; } = true;

    public bool IsEmpty => !Truncate && Move is null && Deletes.Count == 0 && Upserts.Count == 0 && Inserts.Count == 0;
}
