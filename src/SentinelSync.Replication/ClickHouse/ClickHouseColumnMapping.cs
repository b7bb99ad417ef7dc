namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// How one source column is held in ClickHouse: its parts, and what (if anything) ClickHouse cannot hold
/// faithfully (<see cref="Limitation"/>, logged when the table is ensured).
/// </summary>
public sealed record ClickHouseColumnMapping(ColumnSchema Source, string SourceType, IReadOnlyList<ClickHouseColumnPart> Parts, string? Limitation);
