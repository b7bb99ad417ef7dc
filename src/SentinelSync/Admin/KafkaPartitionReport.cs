namespace SentinelSync.Admin;

/// <summary>
/// One partition of a Kafka pipeline in <c>GET /api/pipelines</c>: the silo its grain runs on, its phase, the next
/// offset it reads, the offset every sink applied through (<see cref="CommittedOffset"/>, also committed to the
/// consumer group), the partition's end as last fetched and the <see cref="Lag"/> between them (messages not yet
/// applied by every sink; null before the first fetch).
/// </summary>
internal sealed record KafkaPartitionReport(
    string Topic,
    int Partition,
    string Silo,
    string Phase,
    long NextOffset,
    long CommittedOffset,
    long? EndOffset,
    long? Lag,
    IReadOnlyList<string> Tables,
    long Messages,
    long DeadLettered,
    string? LastError);
