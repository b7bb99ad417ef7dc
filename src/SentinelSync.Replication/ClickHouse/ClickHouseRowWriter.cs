using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Writes the rows of one segment as TabSeparated lines in <see cref="ClickHouseTable.InsertColumns"/> order:
/// every part of every column, then <c>_version</c> and <c>_deleted</c> (keyed tables). Tombstones carry the key
/// and NULLs; unchanged TOAST columns take the raw fields of the key's last row read from ClickHouse (for a key
/// move, the old key's row). An update whose unchanged columns have no row to come from is skipped and reported
/// in <see cref="SkippedKeys"/>. A value its column's type cannot hold never drops the row: it goes, as its exact
/// Postgres text, to the column's fallback part (the other parts NULL, or [] for an array), counted in
/// <see cref="Fallbacks"/>.
/// </summary>
internal sealed class ClickHouseRowWriter(ClickHouseTable table, ulong version, IReadOnlyDictionary<string, string[]> lastRows, KeyMove? move)
{
    private readonly string _version = version.ToString(CultureInfo.InvariantCulture);

    public int Written { get; private set; }

    public List<string> SkippedKeys { get; } = [];

    /// <summary>Per source column, how many values went to its fallback part because its type cannot hold them.</summary>
    public Dictionary<string, int> Fallbacks { get; } = new(StringComparer.Ordinal);

    /// <summary>The key parts of <paramref name="row"/> with their plain ClickHouse text.</summary>
    public static IEnumerable<(ClickHouseColumnPart Part, string Text)> KeyValues(ClickHouseTable table, ColumnValue[] row)
    {
        for (var i = 0; i < table.Mappings.Count; i++)
        {
            foreach (var part in table.Mappings[i].Parts.Where(p => p.IsKey))
            {
                var value = row[i];
                var text = value.Kind == ColumnValueKind.Text ? ClickHouseTextConverter.Convert(part, value.Text!) : null;
                yield return (part, text ?? throw new ClickHouseValueException($"Table {table.Schema.Table}: key column '{table.Mappings[i].Source.Name}' has no value ({value})."));
            }
        }
    }

    /// <summary>The key as ClickHouse prints it in TabSeparated (escaped parts joined by tabs), to match lookup results.</summary>
    public static string KeyString(ClickHouseTable table, ColumnValue[] row)
    {
        var builder = new StringBuilder();
        foreach (var (_, text) in KeyValues(table, row))
        {
            if (builder.Length > 0)
            {
                builder.Append('\t');
            }

            ClickHouseEscaping.AppendTsv(builder, text);
        }

        return builder.ToString();
    }

    public void Write(TextWriter writer, IEnumerable<(ColumnValue[] Values, bool Deleted)> rows)
    {
        foreach (var (values, deleted) in rows)
        {
            string[]? last = null;
            if (!deleted && values.Any(v => v.IsUnchanged))
            {
                var key = KeyString(table, move is not null && ReferenceEquals(values, move.NewRow) ? move.OldRow : values);
                if (!lastRows.TryGetValue(key, out last))
                {
                    SkippedKeys.Add(key);
                    continue;
                }
            }

            var field = 0;
            for (var i = 0; i < table.Mappings.Count; i++)
            {
                if (i > 0)
                {
                    writer.Write('\t');
                }

                field += WriteColumn(writer, i, values[i], last, field);
            }

            EndRow(writer, deleted);
        }
    }

    /// <summary>
    /// Writes every part of column <paramref name="column"/> for <paramref name="value"/>, tab-separated (no tab before
    /// the first); <paramref name="last"/> and <paramref name="field"/>: the key's last row and this column's first
    /// field in it, for an unchanged TOAST value. Returns the number of parts written.
    /// </summary>
    public int WriteColumn(TextWriter writer, int column, ColumnValue value, string[]? last, int field)
    {
        var parts = table.Mappings[column].Parts;
        var fallback = value.Kind == ColumnValueKind.Text && parts.Any(p => p.IsFallback) && !Representable(parts, value.Text!);
        if (fallback)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(Fallbacks, table.Mappings[column].Source.Name, out _)++;
        }

        for (var p = 0; p < parts.Count; p++)
        {
            if (p > 0)
            {
                writer.Write('\t');
            }

            var part = parts[p];
            if (fallback)
            {
                // The row stays; the value the type cannot hold is kept, exactly, in the fallback part.
                WriteFallback(writer, part, value.Text!);
            }
            else if (part.IsFallback && value.Kind == ColumnValueKind.Text)
            {
                writer.Write(ClickHouseEscaping.TsvNull);
            }
            else
            {
                WriteField(writer, part, value, last, field + p);
            }
        }

        return parts.Count;
    }

    /// <summary>Ends a row: <c>_version</c> and <c>_deleted</c> for keyed tables, then the newline.</summary>
    public void EndRow(TextWriter writer, bool deleted)
    {
        if (table.Schema.HasKey)
        {
            writer.Write('\t');
            writer.Write(_version);
            writer.Write(deleted ? "\t1\n" : "\t0\n");
        }
        else
        {
            writer.Write('\n');
        }

        Written++;
    }

    private static bool Representable(IReadOnlyList<ClickHouseColumnPart> parts, string text)
    {
        try
        {
            foreach (var part in parts.Where(p => !p.IsFallback))
            {
                ClickHouseTextConverter.Convert(part, text);
            }

            return true;
        }
        catch (ClickHouseValueException)
        {
            return false;
        }
    }

    private static void WriteFallback(TextWriter writer, ClickHouseColumnPart part, string text)
    {
        if (part.IsFallback)
        {
            ClickHouseEscaping.WriteTsv(writer, text);
        }
        else
        {
            writer.Write(part.Conversion == ClickHouseConversion.Array ? "[]" : ClickHouseEscaping.TsvNull);
        }
    }

    private static void WriteField(TextWriter writer, ClickHouseColumnPart part, ColumnValue value, string[]? last, int field)
    {
        switch (value.Kind)
        {
            case ColumnValueKind.UnchangedToast:
                writer.Write(last![field]);
                return;
            case ColumnValueKind.Null:
                writer.Write(part.Conversion == ClickHouseConversion.Array ? "[]" : ClickHouseEscaping.TsvNull);
                return;
        }

        var text = ClickHouseTextConverter.Convert(part, value.Text!);
        if (text is null)
        {
            writer.Write(ClickHouseEscaping.TsvNull);
        }
        else if (part.IsTsvEscaped)
        {
            ClickHouseEscaping.WriteTsv(writer, text);
        }
        else
        {
            writer.Write(text);
        }
    }
}
