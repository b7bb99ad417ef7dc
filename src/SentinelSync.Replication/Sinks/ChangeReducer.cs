using System.Globalization;
using System.Text;

namespace SentinelSync.Replication.Sinks;

/// <summary>
/// Reduces changes (already past the stored offset, in source order) to per-key net effects: the last change of
/// a key wins, an update's unchanged TOAST columns take the value of an earlier change of the same key in the
/// batch when there is one (otherwise they stay unchanged and the destination keeps its value), a key change
/// is a delete of the old key plus an upsert of the new one, a truncate discards what came before it.
/// A new segment starts when the schema version changes and before a key move that needs the destination's
/// unchanged values (see <see cref="KeyMove"/>). Keys are compared by their text form, which is the
/// type's canonical output at the source.
/// </summary>
internal static class ChangeReducer
{
    public static List<ApplySegment> Reduce(IEnumerable<RowChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var states = new List<State>();
        foreach (var change in changes)
        {
            var current = states.Count == 0 ? null : states[^1];
            if (current is null || !SameSchema(current.Segment.Schema, change.Schema))
            {
                states.Add(new State(new ApplySegment(change.Schema)));
            }

            Apply(states, change);
            states[^1].Segment.Through = change.Position;
        }

        return states.Select(s => s.Complete()).Where(s => !s.IsEmpty).ToList();
    }

    private static void Apply(List<State> states, RowChange change)
    {
        var state = states[^1];
        var schema = change.Schema;
        var keys = state.KeyIndexes;
        if (change.Kind is not (ChangeKind.Snapshot or ChangeKind.Truncate))
        {
            state.Segment.SnapshotOnly = false;
        }

        if (change.Kind == ChangeKind.Truncate)
        {
            state.Clear();
            state.Segment.Truncate = true;
            return;
        }

        if (keys.Length == 0)
        {
            if (change.Kind is not (ChangeKind.Insert or ChangeKind.Snapshot))
            {
                throw new KeylessTableChangeException(schema.Table, change.Kind, change.Position);
            }

            state.Segment.Inserts.Add(change.Values);
            return;
        }

        switch (change.Kind)
        {
            case ChangeKind.Insert or ChangeKind.Snapshot:
            {
                var key = KeyOf(schema, keys, change.Values, change.OldKey, change);
                state.Upsert(key, Merge(change.Values, state.RowOf(key)));
                return;
            }

            case ChangeKind.Delete:
            {
                var oldRow = change.OldKey ?? change.Values;
                var key = KeyOf(schema, keys, oldRow, null, change);
                state.Delete(key, KeyOnly(schema, keys, oldRow));
                return;
            }

            case ChangeKind.Update:
            {
                var newKey = KeyOf(schema, keys, change.Values, change.OldKey, change);
                var oldKey = change.OldKey is null ? newKey : KeyOf(schema, keys, change.OldKey, null, change);
                if (oldKey == newKey)
                {
                    state.Upsert(newKey, Merge(change.Values, state.RowOf(newKey)));
                    return;
                }

                var merged = Merge(change.Values, state.RowOf(oldKey));
                if (!merged.Any(v => v.IsUnchanged))
                {
                    state.Delete(oldKey, KeyOnly(schema, keys, change.OldKey!));
                    state.Upsert(newKey, merged);
                    return;
                }

                // The moved row needs values only the destination has: flush what came before, then move it.
                var next = new State(new ApplySegment(schema));
                next.Segment.Move = new KeyMove(KeyOnly(schema, keys, change.OldKey!), ResolveKey(keys, change.Values, change.OldKey));
                states.Add(next);
                return;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(change), change.Kind, $"Unknown change kind at {change.Position}.");
        }
    }

    /// <summary>Unchanged columns take the earlier row's value, when the batch has one.</summary>
    private static ColumnValue[] Merge(ColumnValue[] values, ColumnValue[]? earlier)
    {
        if (earlier is null || !values.Any(v => v.IsUnchanged))
        {
            return values;
        }

        var merged = (ColumnValue[])values.Clone();
        for (var i = 0; i < merged.Length && i < earlier.Length; i++)
        {
            if (merged[i].IsUnchanged)
            {
                merged[i] = earlier[i];
            }
        }

        return merged;
    }

    private static ColumnValue[] KeyOnly(TableSchema schema, int[] keys, ColumnValue[] row)
    {
        var result = new ColumnValue[schema.Columns.Count];
        Array.Fill(result, ColumnValue.Null);
        foreach (var i in keys)
        {
            result[i] = row[i];
        }

        return result;
    }

    /// <summary>A key column sent as unchanged TOAST takes the old key's value (it did not change).</summary>
    private static ColumnValue[] ResolveKey(int[] keys, ColumnValue[] values, ColumnValue[]? oldKey)
    {
        if (oldKey is null || !keys.Any(i => values[i].IsUnchanged))
        {
            return values;
        }

        var resolved = (ColumnValue[])values.Clone();
        foreach (var i in keys.Where(i => resolved[i].IsUnchanged))
        {
            resolved[i] = oldKey[i];
        }

        return resolved;
    }

    private static string KeyOf(TableSchema schema, int[] keys, ColumnValue[] row, ColumnValue[]? fallback, RowChange change)
    {
        if (row.Length != schema.Columns.Count)
        {
            throw new ArgumentException(
                $"Table {schema.Table}: the {change.Kind} at {change.Position} has {row.Length} values for {schema.Columns.Count} columns (schema version {schema.Version}).",
                nameof(change));
        }

        if (keys.Length == 1 && row[keys[0]].Kind == ColumnValueKind.Text)
        {
            // The common single-column key needs no encoding.
            return row[keys[0]].Text!;
        }

        var builder = new StringBuilder();
        foreach (var i in keys)
        {
            var value = row[i];
            if (value.IsUnchanged && fallback is not null)
            {
                value = fallback[i];
            }

            if (value.Kind != ColumnValueKind.Text)
            {
                throw new ArgumentException(
                    $"Table {schema.Table}: the {change.Kind} at {change.Position} has no value for key column '{schema.Columns[i].Name}' ({value}).",
                    nameof(change));
            }

            builder.Append(value.Text!.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value.Text);
        }

        return builder.ToString();
    }

    // The table counts too: a transaction over several tables (IMultiStreamSink) reduces their changes in one pass, and
    // two tables of the same shape must never share a segment.
    private static bool SameSchema(TableSchema left, TableSchema right) =>
        ReferenceEquals(left, right) || left.Table == right.Table && left.Version == right.Version && left.Columns.SequenceEqual(right.Columns);

    /// <summary>Per-key net state of the open segment, in first-touch order.</summary>
    private sealed class State(ApplySegment segment)
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<(bool Delete, ColumnValue[] Row)> _entries = [];

        public ApplySegment Segment { get; } = segment;

        public int[] KeyIndexes { get; } = segment.Schema.KeyIndexes.ToArray();

        public ColumnValue[]? RowOf(string key) =>
            _index.TryGetValue(key, out var i) && !_entries[i].Delete ? _entries[i].Row : null;

        public void Upsert(string key, ColumnValue[] row) => Set(key, false, row);

        public void Delete(string key, ColumnValue[] keyRow) => Set(key, true, keyRow);

        public void Clear()
        {
            _index.Clear();
            _entries.Clear();
            Segment.Move = null;
            Segment.Inserts.Clear();
        }

        /// <summary>Writes the net entries into the segment's lists.</summary>
        public ApplySegment Complete()
        {
            foreach (var (delete, row) in _entries)
            {
                (delete ? Segment.Deletes : Segment.Upserts).Add(row);
            }

            return Segment;
        }

        private void Set(string key, bool delete, ColumnValue[] row)
        {
            if (_index.TryGetValue(key, out var i))
            {
                _entries[i] = (delete, row);
            }
            else
            {
                _index[key] = _entries.Count;
                _entries.Add((delete, row));
            }
        }
    }
}
