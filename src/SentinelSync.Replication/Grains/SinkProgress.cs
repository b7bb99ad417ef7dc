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
    DateTimeOffset? LastAppliedAt);
