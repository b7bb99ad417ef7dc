namespace SentinelSync.Replication;

/// <summary>
/// One change of one row. <see cref="Values"/> holds the new row in <see cref="Schema"/>'s column order
/// (empty for deletes and truncates). <see cref="OldKey"/> holds the old row's key columns (or the whole old
/// row under REPLICA IDENTITY FULL) for deletes and for updates that changed the key; other columns are NULL
/// there. Immutable once built.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record RowChange(ChangeKind Kind, Position Position, TableSchema Schema, ColumnValue[] Values, ColumnValue[]? OldKey = null)
{
    /// <summary>The source transaction's id (Postgres xid); 0 when unknown (snapshot rows, other sources).</summary>
    [Id(5)]
    public uint TransactionId { get; init; }

    /// <summary>When the source transaction committed; null when unknown (snapshot rows, other sources).</summary>
    [Id(6)]
    public DateTimeOffset? CommitTime { get; init; }
}
