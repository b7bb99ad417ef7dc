namespace SentinelSync.Replication.Grains;

/// <summary>
/// Where one sink stands for one table: the activation's epoch (a new epoch means a new activation whose queue
/// started empty), the position applied through, what waits in its queue, and its counters.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record SinkProgress(
    string Sink,
    long Epoch,
    Position Applied,
    int Queued,
    long AppliedChanges,
    long DeadLettered,
    int Retrying,
    string? LastError,
    DateTimeOffset? LastAppliedAt)
{
    /// <summary>
    /// What this activation applied per stream, for batches that name one (<see cref="ChangeBatch.Stream"/>: Kafka
    /// partitions); <see cref="Applied"/> covers the others. Null when no such batch was applied.
    /// </summary>
    [Id(9)]
    public IReadOnlyDictionary<string, Position>? Streams { get; init; }
}
