using SentinelSync.Replication;

namespace SentinelSync.Testing;

/// <summary>
/// Builds <see cref="ChangeBatch"/>es by hand for sink tests. Values are given in schema order as
/// <c>string</c> (text format), <c>null</c> (SQL NULL) or a <see cref="ColumnValue"/> (e.g.
/// <see cref="ColumnValue.Unchanged"/>). Every change gets the next position (LSN + 1, ordinal 0), so
/// positions grow in the order changes are added.
/// </summary>
public sealed class ChangeBatchBuilder(TableSchema schema, ulong firstLsn = 0x1000)
{
    private readonly List<RowChange> _changes = [];
    private ulong _nextLsn = firstLsn;

    public TableSchema Schema { get; private set; } = schema;

    /// <summary>The position the next change will get.</summary>
    public Position NextPosition => new(_nextLsn, 0);

    /// <summary>Changes added from now on carry <paramref name="schema"/>.</summary>
    public ChangeBatchBuilder WithSchema(TableSchema schema)
    {
        Schema = schema;
        return this;
    }

    public ChangeBatchBuilder Insert(params object?[] values) => Add(ChangeKind.Insert, Row(values), null);

    public ChangeBatchBuilder Snapshot(params object?[] values) => Add(ChangeKind.Snapshot, Row(values), null);

    public ChangeBatchBuilder Update(params object?[] values) => Add(ChangeKind.Update, Row(values), null);

    /// <summary>An update that changed the key from <paramref name="oldKey"/> (key columns only, in key order).</summary>
    public ChangeBatchBuilder UpdateKey(object?[] oldKey, params object?[] values) => Add(ChangeKind.Update, Row(values), KeyRow(oldKey));

    /// <summary>A delete of the row with key <paramref name="key"/> (key columns only, in key order).</summary>
    public ChangeBatchBuilder Delete(params object?[] key) => Add(ChangeKind.Delete, [], KeyRow(key));

    public ChangeBatchBuilder Truncate() => Add(ChangeKind.Truncate, [], null);

    /// <summary>All changes so far, through the last change's position (or <paramref name="through"/>).</summary>
    public ChangeBatch Build(Position? through = null) =>
        new(Schema.Table, _changes.ToArray(), through ?? (_changes.Count == 0 ? new Position(_nextLsn - 1, 0) : _changes[^1].Position));

    /// <summary>The changes from <paramref name="start"/> on, as a batch through the last one.</summary>
    public ChangeBatch Build(int start, int count) =>
        new(Schema.Table, _changes.Skip(start).Take(count).ToArray(), _changes[start + count - 1].Position);

    public IReadOnlyList<RowChange> Changes => _changes;

    /// <summary>A key column; <paramref name="number"/> is its source attribute number (0: unknown).</summary>
    public static ColumnSchema Key(string name, string type, int number = 0) => new(name, type, 0, IsKey: true, number);

    /// <summary>A column; <paramref name="number"/> is its source attribute number (0: unknown).</summary>
    public static ColumnSchema Column(string name, string type, int number = 0) => new(name, type, 0, IsKey: false, number);

    public static TableSchema Table(string name, int version, params ColumnSchema[] columns) =>
        new(new TableName("public", name), version, columns);

    public static ColumnValue Value(object? value) => value switch
    {
        null => ColumnValue.Null,
        ColumnValue v => v,
        string s => ColumnValue.Of(s),
        _ => throw new ArgumentException($"Use text, null or a ColumnValue, not {value.GetType().Name}.", nameof(value)),
    };

    private ChangeBatchBuilder Add(ChangeKind kind, ColumnValue[] values, ColumnValue[]? oldKey)
    {
        _changes.Add(new RowChange(kind, new Position(_nextLsn++, 0), Schema, values, oldKey));
        return this;
    }

    private ColumnValue[] Row(object?[] values)
    {
        if (values.Length != Schema.Columns.Count)
        {
            throw new ArgumentException($"{values.Length} values for {Schema.Columns.Count} columns of {Schema.Table}.", nameof(values));
        }

        return values.Select(Value).ToArray();
    }

    private ColumnValue[] KeyRow(object?[] key)
    {
        var keyIndexes = Schema.KeyIndexes.ToList();
        if (key.Length != keyIndexes.Count)
        {
            throw new ArgumentException($"{key.Length} key values for {keyIndexes.Count} key columns of {Schema.Table}.", nameof(key));
        }

        var row = Enumerable.Repeat(ColumnValue.Null, Schema.Columns.Count).ToArray();
        for (var i = 0; i < keyIndexes.Count; i++)
        {
            row[keyIndexes[i]] = Value(key[i]);
        }

        return row;
    }
}
