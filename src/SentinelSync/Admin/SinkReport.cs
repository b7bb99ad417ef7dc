namespace SentinelSync.Admin;

/// <summary>
/// One sink of one table in <c>GET /api/pipelines</c>. <see cref="LagBytes"/>: WAL between the source's current
/// position and what this sink applied (what the source has not received yet, when the sink applied all it
/// was given). <see cref="LagSeconds"/>: age of the oldest change pushed to it and not applied (0 when caught up).
/// </summary>
internal sealed record SinkReport(
    string Sink,
    string Applied,
    long AppliedChanges,
    int Queued,
    long DeadLettered,
    int Retrying,
    string? LastError,
    DateTimeOffset? LastAppliedAt,
    long? LagBytes,
    double LagSeconds,
    double RowsPerSecond);
