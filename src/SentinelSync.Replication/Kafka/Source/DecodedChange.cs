namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// What one Kafka message says about one source table, before it is placed into the table's schema:
/// <see cref="After"/> the new row (inserts, snapshot reads, updates), <see cref="Before"/> the old row or at
/// least its key (deletes; updates when the connector sends it). Columns a message does not carry are not in
/// the lists; <see cref="ColumnValue.Unchanged"/> marks a value the connector could not give (Debezium's
/// unavailable-value placeholder, a Scylla cell the operation did not touch): the destination keeps its value.
/// </summary>
public sealed record DecodedChange(TableName Table, ChangeKind Kind, IReadOnlyList<FieldValue> After, IReadOnlyList<FieldValue>? Before)
{
    /// <summary>Every column the message shows a type for, key columns marked.</summary>
    public IEnumerable<ObservedColumn> ObservedColumns =>
        After.Concat(Before ?? []).Where(f => f.Column is not null).Select(f => f.Column!).DistinctBy(c => c.Name);
}
