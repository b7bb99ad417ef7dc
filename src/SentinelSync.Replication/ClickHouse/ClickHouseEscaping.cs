using System.Text;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// The one place values become ClickHouse text. TabSeparated fields escape exactly what 18.16 escapes on
/// output (<c>\b \f \r \0 \t \n \\ \'</c>), so a field read back from a TabSeparated SELECT compares and
/// re-inserts byte for byte; quoted literals (SQL and array elements) escape backslash, quote and control
/// characters.
/// </summary>
internal static class ClickHouseEscaping
{
    /// <summary>The TabSeparated spelling of NULL.</summary>
    public const string TsvNull = "\\N";

    /// <summary>Appends <paramref name="value"/> as a TabSeparated field.</summary>
    public static void AppendTsv(StringBuilder builder, string value)
    {
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var escaped = Escape(value[i], quote: '\'');
            if (escaped is null)
            {
                continue;
            }

            builder.Append(value, start, i - start).Append(escaped);
            start = i + 1;
        }

        builder.Append(value, start, value.Length - start);
    }

    /// <summary>Writes <paramref name="value"/> as a TabSeparated field.</summary>
    public static void WriteTsv(TextWriter writer, string value)
    {
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var escaped = Escape(value[i], quote: '\'');
            if (escaped is null)
            {
                continue;
            }

            writer.Write(value.AsSpan(start, i - start));
            writer.Write(escaped);
            start = i + 1;
        }

        writer.Write(value.AsSpan(start));
    }

    /// <summary>Appends <c>'value'</c>: a string literal for SQL text or an array element.</summary>
    public static void AppendQuoted(StringBuilder builder, string value)
    {
        builder.Append('\'');
        AppendTsv(builder, value);
        builder.Append('\'');
    }

    /// <summary><c>'value'</c>.</summary>
    public static string Quoted(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        AppendQuoted(builder, value);
        return builder.ToString();
    }

    /// <summary>Reverses the TabSeparated escaping of one field (<c>\N</c> is NULL, returned as null).</summary>
    public static string? UnescapeTsv(ReadOnlySpan<char> field)
    {
        if (field.SequenceEqual(TsvNull))
        {
            return null;
        }

        if (!field.Contains('\\'))
        {
            return field.ToString();
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i == field.Length - 1)
            {
                builder.Append(field[i]);
                continue;
            }

            i++;
            builder.Append(field[i] switch
            {
                'b' => '\b',
                'f' => '\f',
                'r' => '\r',
                '0' => '\0',
                't' => '\t',
                'n' => '\n',
                var other => other,
            });
        }

        return builder.ToString();
    }

    private static string? Escape(char c, char quote) => c switch
    {
        '\\' => "\\\\",
        '\t' => "\\t",
        '\n' => "\\n",
        '\r' => "\\r",
        '\0' => "\\0",
        '\b' => "\\b",
        '\f' => "\\f",
        _ when c == quote => "\\'",
        _ => null,
    };
}
