namespace SentinelSync.Replication.Sinks;

/// <summary>
/// One table cannot be applied until an operator fixes something at the destination (a type that cannot be
/// created there: an extension that is not installed, a missing privilege). Nothing of the batch was applied.
/// It is wrong for every change of the table alike, so sinks classify it as transient: the sink retries the
/// table with backoff and never dead-letters its changes, which stay in the replication slot; other tables
/// flow on. Once the cause is fixed the next retry applies the table, with no command needed.
/// </summary>
public sealed class TableBlockedException(TableName table, string reason, Exception? innerException = null)
    : Exception($"Table {table} is blocked until the destination is fixed: {reason} Its changes stay in the replication slot and are retried until then; nothing is dead-lettered.", innerException)
{
    public TableName Table { get; } = table;

    /// <summary>What is wrong and how to fix it, without the table prefix.</summary>
    public string Reason { get; } = reason;
}
