using SentinelSync.Replication;

namespace SentinelSync.Benchmarks;

/// <summary><see cref="RowChange"/> without <c>[Immutable]</c> (see <see cref="MutableChangeBatch"/>).</summary>
[GenerateSerializer]
public sealed record MutableRowChange(ChangeKind Kind, Position Position, TableSchema Schema, ColumnValue[] Values, ColumnValue[]? OldKey);
