using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Writes snapshot rows still in Postgres' COPY text form (<see cref="CopyRows"/>) as the TabSeparated lines
/// <see cref="ClickHouseRowWriter"/> would write for the same rows parsed, without parsing what needs no change.
/// A text, integer or UUID field without backslash or quote passes through as it is (NULL is <c>\N</c> in both
/// formats); one with them is unescaped and escaped the TabSeparated way, so that the bytes are the row writer's.
/// A constrained numeric passes through beside a NULL fallback part unless it is NaN or ±Infinity. Every other
/// field (dates, timestamps, floats, booleans, bytea, arrays, the non-numbers) is parsed and converted by the row
/// writer; a converted field equal to the one above it in the same column reuses that row's output (bulk loads
/// repeat defaults).
/// </summary>
internal sealed class ClickHouseCopyWriter
{
    private readonly ClickHouseRowWriter _rows;
    private readonly FieldKind[] _kinds;
    private readonly string?[] _lastRaw;
    private readonly string?[] _lastOutput;
    private readonly StringWriter _scratch = new(System.Globalization.CultureInfo.InvariantCulture);

    public ClickHouseCopyWriter(ClickHouseTable table, ulong version)
    {
        _rows = new ClickHouseRowWriter(table, version, new Dictionary<string, string[]>(), move: null);
        _kinds = [.. table.Mappings.Select(KindOf)];
        _lastRaw = new string?[_kinds.Length];
        _lastOutput = new string?[_kinds.Length];
    }

    private enum FieldKind : byte
    {
        PassThrough,
        DecimalBesideFallback,
        Converted,
    }

    /// <summary>Rows written so far.</summary>
    public int Written => _rows.Written;

    /// <summary>Per source column, how many values went to its fallback part (see <see cref="ClickHouseRowWriter.Fallbacks"/>).</summary>
    public Dictionary<string, int> Fallbacks => _rows.Fallbacks;

    /// <summary>Writes every row of <paramref name="copy"/>; throws <see cref="FormatException"/> for a line with another number of fields.</summary>
    public void Write(TextWriter writer, CopyRows copy)
    {
        var text = copy.Text.AsSpan();
        var columns = _kinds.Length;
        while (!text.IsEmpty)
        {
            var newline = text.IndexOf('\n');
            var line = newline < 0 ? text : text[..newline];
            text = newline < 0 ? [] : text[(newline + 1)..];
            var rest = line;
            for (var column = 0; column < columns; column++)
            {
                var tab = rest.IndexOf('\t');
                if ((tab < 0) != (column == columns - 1))
                {
                    throw new FormatException($"COPY row of {copy.Schema.Table} does not have its {columns} columns: '{Abbreviate(line)}'.");
                }

                var field = tab < 0 ? rest : rest[..tab];
                rest = tab < 0 ? [] : rest[(tab + 1)..];
                if (column > 0)
                {
                    writer.Write('\t');
                }

                WriteField(writer, column, field);
            }

            _rows.EndRow(writer, deleted: false);
        }
    }

    private void WriteField(TextWriter writer, int column, ReadOnlySpan<char> field)
    {
        switch (_kinds[column])
        {
            case FieldKind.PassThrough when field.IndexOfAny('\\', '\'') < 0 || field is ClickHouseEscaping.TsvNull:
                writer.Write(field);
                return;
            case FieldKind.DecimalBesideFallback when field is not ("NaN" or "Infinity" or "-Infinity"):
                writer.Write(field);
                writer.Write('\t');
                writer.Write(ClickHouseEscaping.TsvNull);
                return;
        }

        if (_lastRaw[column] is { } raw && field.SequenceEqual(raw))
        {
            writer.Write(_lastOutput[column]);
            return;
        }

        var output = _scratch.GetStringBuilder().Clear();
        var fallbacks = Fallbacks.Count == 0 ? 0 : Fallbacks.Values.Sum();
        _rows.WriteColumn(_scratch, column, CopyTextFormat.ParseField(field), last: null, field: 0);
        foreach (var chunk in output.GetChunks())
        {
            writer.Write(chunk.Span);
        }

        // A value that went to the fallback part is counted each time: never reused.
        var counted = Fallbacks.Count == 0 ? 0 : Fallbacks.Values.Sum();
        (_lastRaw[column], _lastOutput[column]) = counted == fallbacks ? (field.ToString(), output.ToString()) : (null, null);
    }

    private static FieldKind KindOf(ClickHouseColumnMapping mapping) => mapping.Parts switch
    {
        [{ Conversion: ClickHouseConversion.Text or ClickHouseConversion.Number or ClickHouseConversion.Uuid, IsFallback: false }] => FieldKind.PassThrough,
        [{ Conversion: ClickHouseConversion.Decimal }, { IsFallback: true }] => FieldKind.DecimalBesideFallback,
        _ => FieldKind.Converted,
    };

    private static string Abbreviate(ReadOnlySpan<char> line) => line.Length <= 200 ? line.ToString() : string.Concat(line[..200], "…");
}
