namespace SentinelSync.Replication.Sinks;

/// <summary>
/// A schema change the sink does not follow automatically (for example the primary key changed, or a key
/// column was dropped). The batch was not applied; the message says what changed.
/// </summary>
public sealed class UnsupportedSchemaChangeException(TableName table, string message)
    : InvalidOperationException($"Table {table}: {message}")
{
    public TableName Table { get; } = table;
}
