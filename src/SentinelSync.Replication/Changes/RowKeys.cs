namespace SentinelSync.Replication;

/// <summary>
/// The identity of the row a change touches, as text: its key columns' values joined by a unit separator.
/// Used to keep order per key when a change is dead-lettered (later changes of that key must not overtake it).
/// </summary>
public static class RowKeys
{
    private const char Separator = '\u001f';

    /// <summary>The keys a change touches: the new row's and, when the key changed or the row was deleted, the old row's.</summary>
    public static IEnumerable<string> Of(RowChange change)
    {
        var keyIndexes = change.Schema.KeyIndexes.ToList();
        if (keyIndexes.Count == 0)
        {
            yield break;
        }

        if (change.Values.Length > 0)
        {
            yield return Join(change.Values, keyIndexes);
        }

        if (change.OldKey is { Length: > 0 } old && keyIndexes.All(i => i < old.Length && !old[i].IsNull))
        {
            var oldKey = Join(old, keyIndexes);
            if (change.Values.Length == 0 || oldKey != Join(change.Values, keyIndexes))
            {
                yield return oldKey;
            }
        }
    }

    private static string Join(ColumnValue[] values, List<int> keyIndexes) =>
        string.Join(Separator, keyIndexes.Select(i => values[i].Text ?? "\u2400"));
}
