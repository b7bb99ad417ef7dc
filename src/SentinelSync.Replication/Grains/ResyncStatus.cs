namespace SentinelSync.Replication.Grains;

/// <summary>
/// Where a table resync stands. <see cref="State"/>: <c>starting</c>, <c>copying</c> (chunks being read and
/// pushed), <c>applying</c> (every row pushed, sinks catching up), then <c>done</c>, <c>failed</c> (see
/// <see cref="Error"/>) or <c>interrupted</c> (the pipeline stopped; it starts over when the pipeline runs
/// again). <see cref="RowsEstimated"/> is the planner's estimate, raised to the rows copied when they exceed it.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record ResyncStatus(
    string Pipeline,
    string Table,
    string Id,
    string State,
    long RowsCopied,
    long RowsEstimated,
    int Chunks,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error);
