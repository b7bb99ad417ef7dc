namespace SentinelSync.Replication;

/// <summary>
/// Changes of one table in source order, the unit that crosses grain boundaries. <see cref="Through"/> is the
/// position the batch covers: once a sink applied the batch it may record that position even if the last
/// change is earlier (for example a transaction that touched other tables).
/// </summary>
public sealed record ChangeBatch(TableName Table, IReadOnlyList<RowChange> Changes, Position Through);
