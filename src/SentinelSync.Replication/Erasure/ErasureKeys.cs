namespace SentinelSync.Replication.Erasure;

/// <summary>The key an erasure's delete change carries, as (column, text) pairs in the schema's key order.</summary>
public static class ErasureKeys
{
    public static IReadOnlyList<(string Column, string Text)> Of(RowChange delete)
    {
        ArgumentNullException.ThrowIfNull(delete);
        var old = delete.OldKey ?? throw new ArgumentException("An erasure's delete change carries its key in OldKey.", nameof(delete));
        var key = delete.Schema.KeyIndexes
            .Select(i => (delete.Schema.Columns[i].Name, Value: i < old.Length ? old[i] : ColumnValue.Null))
            .ToList();
        if (key.Count == 0 || key.Any(k => k.Value.Kind != ColumnValueKind.Text))
        {
            throw new ArgumentException($"An erasure of {delete.Schema.Table} needs a value for every key column.", nameof(delete));
        }

        return [.. key.Select(k => (k.Name, k.Value.Text!))];
    }
}
