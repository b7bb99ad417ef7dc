namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Places a decoded change into its table's schema as a <see cref="RowChange"/>. A Kafka record's position is
/// <c>(offset + 1, 0)</c>: the offset to read next once it is applied, as Kafka's own committed offsets count, so
/// that offset 0 is above <see cref="Position.Zero"/> (nothing applied).
/// </summary>
public static class KafkaChanges
{
    public static Position PositionOf(long offset) => new((ulong)(offset + 1), 0);

    /// <summary>The offset to read next after everything at or below <paramref name="applied"/>.</summary>
    public static long NextOffset(Position applied) => (long)applied.Lsn;

    /// <summary>
    /// The row change of <paramref name="change"/> under <paramref name="schema"/> (which must cover its columns).
    /// A column the message does not carry is NULL in an insert or snapshot row (the row had no value for it) and
    /// unchanged in an update (the destination keeps its value).
    /// </summary>
    public static RowChange ToRowChange(DecodedChange change, TableSchema schema, long offset)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(schema);
        var position = PositionOf(offset);
        var missing = change.Kind == ChangeKind.Update ? ColumnValue.Unchanged : ColumnValue.Null;
        return change.Kind switch
        {
            ChangeKind.Truncate => new RowChange(ChangeKind.Truncate, position, schema, []),
            ChangeKind.Delete => new RowChange(ChangeKind.Delete, position, schema, [], Place(change.Before!, schema, ColumnValue.Null)),
            _ => new RowChange(change.Kind, position, schema, Place(change.After, schema, missing), OldKeyOf(change, schema)),
        };
    }

    private static ColumnValue[] Place(IReadOnlyList<FieldValue> fields, TableSchema schema, ColumnValue missing)
    {
        var values = new ColumnValue[schema.Columns.Count];
        Array.Fill(values, missing);
        // By index: foreach over the interface would box the list's enumerator, once per message.
        for (var i = 0; i < fields.Count; i++)
        {
            var index = IndexOf(schema, fields[i].Name);
            if (index >= 0)
            {
                values[index] = fields[i].Value;
            }
        }

        return values;
    }

    /// <summary>The old key of an update that moved the row to another key (when the connector sent the old row).</summary>
    private static ColumnValue[]? OldKeyOf(DecodedChange change, TableSchema schema)
    {
        if (change.Kind != ChangeKind.Update || change.Before is null || !schema.HasKey)
        {
            return null;
        }

        var before = Place(change.Before, schema, ColumnValue.Null);
        var after = Place(change.After, schema, ColumnValue.Null);
        var moved = schema.KeyIndexes.Any(i => !before[i].IsNull && !before[i].IsUnchanged && before[i] != after[i]);
        return moved ? before : null;
    }

    private static int IndexOf(TableSchema schema, string name)
    {
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            if (schema.Columns[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}
