namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// One column of a decoded row: its value in Postgres' text format (or NULL, or unchanged) and the column as
/// observed. <see cref="Column"/> is null when the message cannot tell the column's type (a NULL without a
/// schema block): such a value is written only into a column already known.
/// </summary>
public sealed record FieldValue(string Name, ObservedColumn? Column, ColumnValue Value);
