namespace SentinelSync.Replication.Sinks;

/// <summary>
/// A sink activation tried to apply a batch while a newer activation (<see cref="CurrentEpoch"/>) owns the
/// offset row. Nothing was written; the stale activation must stop. Never transient.
/// </summary>
public sealed class SinkFencedException(string sinkName, TableName table, long epoch, long currentEpoch)
    : InvalidOperationException($"Sink '{sinkName}', table {table}: activation with epoch {epoch} was superseded by epoch {currentEpoch}; its batch was refused.")
{
    public string SinkName { get; } = sinkName;

    public TableName Table { get; } = table;

    public long Epoch { get; } = epoch;

    public long CurrentEpoch { get; } = currentEpoch;
}
