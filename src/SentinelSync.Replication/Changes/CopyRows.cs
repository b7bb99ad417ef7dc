using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication;

/// <summary>
/// Snapshot rows of one table still in Postgres' COPY text format, exactly as the source's <c>COPY ... TO
/// STDOUT</c> wrote them: <see cref="Count"/> lines, each ending with a newline, columns in
/// <see cref="Schema"/>'s order. A Postgres sink copies the text into the target unparsed (the values are the
/// text the source's output functions produced, which the same types' input functions read back exactly); any
/// other consumer expands it into <see cref="ChangeKind.Snapshot"/> changes. The row at index <c>i</c> has the
/// position (<see cref="First"/>.Lsn, <see cref="First"/>.Ordinal + i).
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record CopyRows(TableSchema Schema, string Text, int Count, Position First)
{
    /// <summary>The position of the last row.</summary>
    public Position Last => new(First.Lsn, First.Ordinal + Count - 1);

    /// <summary>The rows as snapshot changes (each line parsed).</summary>
    public IEnumerable<RowChange> Expand()
    {
        var start = 0;
        for (var i = 0; i < Count; i++)
        {
            var end = Text.IndexOf('\n', start);
            if (end < 0)
            {
                throw new FormatException($"COPY text of {Schema.Table} ends after {i} of its {Count} rows.");
            }

            yield return new RowChange(ChangeKind.Snapshot, new Position(First.Lsn, First.Ordinal + i), Schema, CopyTextFormat.ParseRow(Text[start..end], Schema.Columns.Count));
            start = end + 1;
        }
    }
}
