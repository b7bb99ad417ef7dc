using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Cassandra;

public sealed partial class CassandraSink
{
    [LoggerMessage(Level = LogLevel.Information, Message = "cassandra sink connected to {Cluster} ({Hosts} nodes)")]
    private partial void LogConnected(string cluster, int hosts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "cassandra sink {Sink}: {Table}: {Writes} writes, {Skipped} changes skipped, applied through {Position} (timestamps up to {Timestamp})")]
    private partial void LogBatchApplied(string sink, TableName table, int writes, int skipped, Position position, long timestamp);
}
