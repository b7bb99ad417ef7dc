namespace SentinelSync.Replication.Grains;

/// <summary>
/// Where a targeted repair of some keys of one table stands. <see cref="State"/>: <c>copying</c>, <c>applying</c>
/// (rows pushed, sinks catching up), then <c>done</c>, <c>failed</c> (see <see cref="Error"/>) or
/// <c>interrupted</c>. <see cref="Upserted"/> keys still exist at the source and were written again;
/// <see cref="Deleted"/> keys no longer exist there and were deleted at the destinations.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record RepairStatus(
    string Pipeline,
    string Table,
    string Id,
    string State,
    int Keys,
    int Upserted,
    int Deleted,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error);
