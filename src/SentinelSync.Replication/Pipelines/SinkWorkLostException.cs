namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// A sink activation no longer holds changes the source pushed to it (it was re-activated, e.g. on another
/// silo): the source restarts streaming from the slot's confirmed position, and sinks skip what they applied.
/// </summary>
public sealed class SinkWorkLostException(string sink, TableName table)
    : Exception($"Sink '{sink}' of table {table} lost queued changes (its activation changed); the pipeline restarts from the slot's confirmed position.");
