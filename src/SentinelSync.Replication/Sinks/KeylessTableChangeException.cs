namespace SentinelSync.Replication.Sinks;

/// <summary>
/// An update or delete arrived for a table without a primary key. Sinks replicate such tables
/// insert-only (it has no way to find the destination row), so the change cannot be applied.
/// </summary>
public sealed class KeylessTableChangeException(TableName table, ChangeKind kind, Position position)
    : InvalidOperationException(
        $"Table {table} has no primary key, so sinks apply only inserts to it; the {kind} at {position} cannot be applied. "
        + "Give the source table a primary key (REPLICA IDENTITY DEFAULT) and resnapshot it.")
{
    public TableName Table { get; } = table;

    public ChangeKind Kind { get; } = kind;

    public Position Position { get; } = position;
}
