using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Kafka;

public sealed partial class KafkaSink
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Sink {Sink} sent {Applied} changes of {Table} ({Skipped} already sent) as {Messages} acknowledged Kafka messages through {Position}")]
    private static partial void LogBatchSent(ILogger logger, string sink, TableName table, int applied, int skipped, int messages, Position position);
}
