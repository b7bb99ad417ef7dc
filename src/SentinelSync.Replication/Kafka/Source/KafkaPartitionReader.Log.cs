using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Kafka.Source;

internal sealed partial class KafkaPartitionReader
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: Kafka partition {Topic}/{Partition} reads from offset {Offset} (the lowest its destinations need)")]
    private static partial void LogResumed(ILogger logger, string pipeline, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline}: Kafka partition {Topic}/{Partition} skips messages the brokers deleted before they were applied ({Reason}); it goes on from offset {Earliest} (deletedMessages: skip)")]
    private static partial void LogSkippedDeleted(ILogger logger, string pipeline, string topic, int partition, long earliest, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline}: message {Topic}/{Partition}@{Offset} dead-lettered: {Error}")]
    private static partial void LogPoison(ILogger logger, string pipeline, string topic, int partition, long offset, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: Kafka partition {Topic}/{Partition}: {Warning}")]
    private static partial void LogWarning(ILogger logger, string pipeline, string topic, int partition, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: committing to the consumer group failed for {Topic}/{Partition} (lag tooling only; reading resumes from the destinations): {Error}")]
    private static partial void LogCommitFailed(ILogger logger, string pipeline, string topic, int partition, string error);
}
