namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Where a partition grain stands: <see cref="Phase"/> (<c>starting</c>, <c>streaming</c>, <c>failed</c>,
/// <c>stopped</c>), the next offset to read, the offset every sink applied through (also committed to the
/// consumer group), the partition's end as last fetched (<see cref="EndOffset"/>, null before the first fetch),
/// the tables seen, and counters.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record KafkaPartitionStatus(
    string Pipeline,
    string Topic,
    int Partition,
    string Silo,
    string Phase,
    long NextOffset,
    long CommittedOffset,
    IReadOnlyList<string> Tables,
    long Messages,
    long DeadLettered,
    string? LastError,
    long? EndOffset = null)
{
    /// <summary>Messages in the partition not yet applied by every sink: <see cref="EndOffset"/> − <see cref="CommittedOffset"/>.</summary>
    public long? Lag => EndOffset is { } end ? Math.Max(0, end - CommittedOffset) : null;
}
