namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// A partition's next offset is no longer on the brokers: retention (or deleted records) removed
/// messages before every sink had applied them. With <c>deletedMessages: stop</c> the partition fails with this error
/// and retries, applying nothing beyond the gap: going on would lose the deleted messages without a trace.
/// </summary>
public sealed class KafkaOffsetGoneException(string topic, int partition, string reason, long? earliest, Exception inner)
    : Exception(
        $"Kafka {topic}[{partition}]: the next offset to read is no longer on the brokers ({reason}; the earliest offset they hold is {earliest?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}). " +
        "Messages before that were deleted (retention or deleted records) before they were applied, so the partition stops here instead of skipping them. " +
        "Deliver them again if their producer can (the tables' rows they carried are missing at the destinations), then set the source's deletedMessages: skip to go on from the earliest offset.",
        inner)
{
    /// <summary>The earliest offset the brokers hold, or null when they did not say.</summary>
    public long? Earliest { get; } = earliest;
}
