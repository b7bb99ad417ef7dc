using System.Text;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Parses one line of Postgres' COPY text format (the default of <c>COPY ... TO STDOUT</c>): columns separated
/// by tabs, <c>\N</c> for NULL, backslash escapes <c>\b \f \n \r \t \v \\</c>, <c>\ddd</c> (1–3 octal digits)
/// and <c>\xhh</c> (1–2 hex digits) for bytes, and a backslash before any other character meaning that
/// character. Byte escapes are decoded as UTF-8 together with their neighbours, as the server would.
/// </summary>
internal static class CopyTextFormat
{
    /// <summary>
    /// Splits <paramref name="line"/> (without its line terminator) into exactly <paramref name="columnCount"/>
    /// values; throws <see cref="FormatException"/> when the line has another number of columns.
    /// </summary>
    public static ColumnValue[] ParseRow(string line, int columnCount)
    {
        var values = new ColumnValue[columnCount];
        var column = 0;
        var start = 0;
        while (true)
        {
            var tab = line.IndexOf('\t', start);
            var end = tab < 0 ? line.Length : tab;
            if (column == columnCount)
            {
                throw new FormatException($"COPY row has more than the expected {columnCount} columns: '{Abbreviate(line)}'.");
            }

            values[column++] = ParseField(line.AsSpan(start, end - start));
            if (tab < 0)
            {
                break;
            }

            start = tab + 1;
        }

        if (column != columnCount)
        {
            throw new FormatException($"COPY row has {column} columns, expected {columnCount}: '{Abbreviate(line)}'.");
        }

        return values;
    }

    /// <summary>Decodes one field: <c>\N</c> alone is NULL, anything else is text with escapes resolved.</summary>
    public static ColumnValue ParseField(ReadOnlySpan<char> field)
    {
        if (field is @"\N")
        {
            return ColumnValue.Null;
        }

        var backslash = field.IndexOf('\\');
        if (backslash < 0)
        {
            return ColumnValue.Of(field.ToString());
        }

        var text = new StringBuilder(field.Length);
        text.Append(field[..backslash]);
        List<byte>? bytes = null;
        var i = backslash;
        while (i < field.Length)
        {
            var c = field[i];
            if (c != '\\')
            {
                FlushBytes(text, bytes);
                text.Append(c);
                i++;
                continue;
            }

            if (i + 1 == field.Length)
            {
                throw new FormatException("COPY field ends with a lone backslash.");
            }

            var next = field[i + 1];
            if (IsOctal(next))
            {
                var value = 0;
                var digits = 0;
                i++;
                while (i < field.Length && digits < 3 && IsOctal(field[i]))
                {
                    value = (value * 8) + (field[i] - '0');
                    i++;
                    digits++;
                }

                (bytes ??= []).Add((byte)value);
                continue;
            }

            if (next == 'x' && i + 2 < field.Length && Uri.IsHexDigit(field[i + 2]))
            {
                var value = 0;
                var digits = 0;
                i += 2;
                while (i < field.Length && digits < 2 && Uri.IsHexDigit(field[i]))
                {
                    value = (value * 16) + Uri.FromHex(field[i]);
                    i++;
                    digits++;
                }

                (bytes ??= []).Add((byte)value);
                continue;
            }

            FlushBytes(text, bytes);
            text.Append(next switch
            {
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'v' => '\v',
                _ => next,
            });
            i += 2;
        }

        FlushBytes(text, bytes);
        return ColumnValue.Of(text.ToString());
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    private static void FlushBytes(StringBuilder text, List<byte>? bytes)
    {
        if (bytes is { Count: > 0 })
        {
            text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
        }
    }

    private static string Abbreviate(string line) => line.Length <= 200 ? line : line[..200] + "…";
}
