namespace SentinelSync.Replication.Postgres;

/// <summary>How one table of a snapshot is copied: its schema under the snapshot and the block ranges read in parallel.</summary>
public sealed record SnapshotTablePlan(TableName Table, TableSchema Schema, bool IsPartitioned, IReadOnlyList<BlockRange> Ranges);

/// <summary>Heap blocks from <see cref="FromBlock"/> up to (not including) <see cref="ToBlock"/>; the last range has no end.</summary>
public sealed record BlockRange(long FromBlock, long? ToBlock);
