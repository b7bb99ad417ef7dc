using System.Text;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication;

/// <summary>
/// Snapshot rows of one table still in Postgres' COPY text format, as the UTF-8 bytes the source's
/// <c>COPY ... TO STDOUT</c> sent: <see cref="Count"/> lines, each ending with a newline, columns in
/// <see cref="Schema"/>'s order. A Postgres sink sends the bytes into the target unparsed and undecoded (the values
/// are the text the source's output functions produced, which the same types' input functions read back exactly);
/// any other consumer reads <see cref="Text"/> or expands it into <see cref="ChangeKind.Snapshot"/> changes. The row
/// at index <c>i</c> has the position (<see cref="First"/>.Lsn, <see cref="First"/>.Ordinal + i).
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record CopyRows(TableSchema Schema, byte[] Utf8, int Count, Position First)
{
    /// <summary>Rows given as text (encoded to UTF-8 once).</summary>
    public static CopyRows FromText(TableSchema schema, string text, int count, Position first) =>
        new(schema, Encoding.UTF8.GetBytes(text), count, first);

    /// <summary>Adjacent copies of one table as one: the first's schema and position, every part's rows in order.</summary>
    public static CopyRows Join(IReadOnlyList<CopyRows> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var bytes = new byte[parts.Sum(p => p.Utf8.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.Utf8.CopyTo(bytes, at);
            at += part.Utf8.Length;
        }

        return new CopyRows(parts[0].Schema, bytes, parts.Sum(p => p.Count), parts[0].First);
    }

    /// <summary>The position of the last row.</summary>
    public Position Last => new(First.Lsn, First.Ordinal + Count - 1);

    /// <summary>The rows as text, decoded on each call (for consumers that convert them; a Postgres sink does not).</summary>
    public string Text => Encoding.UTF8.GetString(Utf8);

    /// <summary>The rows as snapshot changes (each line parsed).</summary>
    public IEnumerable<RowChange> Expand()
    {
        var text = Text;
        var start = 0;
        for (var i = 0; i < Count; i++)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                throw new FormatException($"COPY text of {Schema.Table} ends after {i} of its {Count} rows.");
            }

            yield return new RowChange(ChangeKind.Snapshot, new Position(First.Lsn, First.Ordinal + i), Schema, CopyTextFormat.ParseRow(text[start..end], Schema.Columns.Count));
            start = end + 1;
        }
    }
}
