namespace SentinelSync.Replication.Grains;

/// <summary>What a pipeline's source is doing: phase (setup, snapshot, streaming, failed), positions and tables.</summary>
[GenerateSerializer]
[Immutable]
public sealed record SourceStatus(
    string Pipeline,
    string Silo,
    string Phase,
    string? LastError,
    int SnapshotAttempt,
    bool SnapshotCompleted,
    ulong ConfirmedLsn,
    ulong ReceivedLsn,
    IReadOnlyList<string> Tables,
    IReadOnlyList<string> StoppedTables);
