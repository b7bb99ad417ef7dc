namespace SentinelSync.Admin;

/// <summary>
/// One pipeline in <c>GET /api/pipelines</c>. <see cref="LagBytes"/> is <c>pg_current_wal_lsn()</c> at the source
/// minus the slot's <c>confirmed_flush_lsn</c>; the source connection is shown with its password masked.
/// <see cref="Error"/> says why a part could not be read (the source unreachable, the grain not answering).
/// <see cref="Partitions"/>: a Kafka pipeline's partitions (null for a Postgres pipeline).
/// </summary>
internal sealed record PipelineReport(
    string Name,
    string? Silo,
    string Phase,
    string? LastError,
    string Source,
    string Slot,
    bool SnapshotCompleted,
    string? CurrentLsn,
    string? ConfirmedLsn,
    string? ReceivedLsn,
    long? LagBytes,
    double LagSeconds,
    double RowsPerSecond,
    IReadOnlyList<TableReport> Tables,
    string? Error,
    IReadOnlyList<KafkaPartitionReport>? Partitions = null);
