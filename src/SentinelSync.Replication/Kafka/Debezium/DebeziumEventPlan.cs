namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// Which Debezium events a row change becomes, whatever the serialization (JSON or Avro): insert → c (or r for a
/// snapshot row); update → u, or, when the key changed, d of the old key + its tombstone + c of the new one (as
/// Debezium does); delete → d + tombstone; truncate → t, once per partition.
/// </summary>
internal static class DebeziumEventPlan
{
    /// <summary>
    /// One message to write: <see cref="KeyRow"/> the row whose key columns make the key (null: no key);
    /// <see cref="Op"/> null for a tombstone; <see cref="Before"/>/<see cref="After"/> the envelope's rows.
    /// </summary>
    public readonly record struct Step(ColumnValue[]? KeyRow, string? Op, ColumnValue[]? Before, ColumnValue[]? After, bool AllPartitions = false);

    public static IEnumerable<Step> Of(RowChange change, int[] keyIndexes)
    {
        ColumnValue[]? KeyOf(ColumnValue[] row) => keyIndexes.Length == 0 || row.Length == 0 ? null : row;

        switch (change.Kind)
        {
            case ChangeKind.Snapshot:
                yield return new(KeyOf(change.Values), DebeziumEnvelope.Ops.Read, null, change.Values);
                break;
            case ChangeKind.Insert:
                yield return new(KeyOf(change.Values), DebeziumEnvelope.Ops.Create, null, change.Values);
                break;
            case ChangeKind.Update when change.OldKey is { } old && keyIndexes.Length > 0 && KeyChanged(keyIndexes, old, change.Values):
                yield return new(KeyOf(old), DebeziumEnvelope.Ops.Delete, old, null);
                yield return new(KeyOf(old), null, null, null);
                yield return new(KeyOf(change.Values), DebeziumEnvelope.Ops.Create, null, change.Values);
                break;
            case ChangeKind.Update:
                yield return new(KeyOf(change.Values), DebeziumEnvelope.Ops.Update, change.OldKey, change.Values);
                break;
            case ChangeKind.Delete:
                var key = KeyOf(change.OldKey ?? []);
                yield return new(key, DebeziumEnvelope.Ops.Delete, change.OldKey, null);
                if (key is not null)
                {
                    yield return new(key, null, null, null);
                }

                break;
            case ChangeKind.Truncate:
                yield return new(null, DebeziumEnvelope.Ops.Truncate, null, null, AllPartitions: true);
                break;
        }
    }

    /// <summary>Whether the change's source was a snapshot (a snapshot row, or the truncate that starts a restarted snapshot).</summary>
    public static bool IsSnapshot(RowChange change) =>
        change.Kind == ChangeKind.Snapshot || (change.Kind == ChangeKind.Truncate && change.CommitTime is null && change.TransactionId == 0);

    private static bool KeyChanged(int[] keyIndexes, ColumnValue[] old, ColumnValue[] values) =>
        keyIndexes.Any(i => i < old.Length && !old[i].IsNull && old[i].Text != values[i].Text);
}
