namespace SentinelSync.Replication.Erasure;

/// <summary>
/// What an erasure did: per sink of the pipeline, and the dead letters of sinks no longer configured.
/// <see cref="StillAtSource"/>: the row exists at the source, so its next change replicates it again (<see cref="Warning"/>).
/// Key values are not part of it (they are personal data; the caller knows them).
/// </summary>
public sealed record ErasureReport(
    string Pipeline,
    string Table,
    IReadOnlyList<string> KeyColumns,
    bool StillAtSource,
    string? Warning,
    IReadOnlyList<SinkErasure> Sinks,
    int OtherDeadLettersPurged)
{
    public bool Done => Sinks.All(s => s.Done);
}
