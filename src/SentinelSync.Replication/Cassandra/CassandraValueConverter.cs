using System.Globalization;
using System.Numerics;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.ClickHouse;

namespace SentinelSync.Replication.Cassandra;

/// <summary>Postgres text-format values to the .NET values <see cref="CqlValueCodec"/> writes, exactly or not at all.</summary>
public static class CassandraValueConverter
{
    private const long UnixEpochMicrosSince2000 = 946_684_800_000_000L;

    public static object Convert(CassandraColumnType column, string text)
    {
        try
        {
            return column.Conversion == CassandraConversion.List ? ConvertArray(column.Element!.Value, text) : ConvertScalar(column.Conversion, text);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ClickHouseValueException)
        {
            throw new CassandraValueException($"'{Shorten(text)}' cannot be a CQL {column.Type.ToCql()}: {e.Message}");
        }
    }

    /// <summary>Microseconds since 1970-01-01 UTC of a Postgres timestamp or timestamptz text (the <c>__micros</c> companion).</summary>
    public static long TimestampMicros(string text)
    {
        var micros = ClickHouseTextConverter.TimestampMicros(text);
        if (micros is long.MaxValue or long.MinValue)
        {
            throw new CassandraValueException($"timestamp '{text}' has no CQL timestamp (infinite)");
        }

        return micros + UnixEpochMicrosSince2000;
    }

    private static object ConvertScalar(CassandraConversion conversion, string text) => conversion switch
    {
        CassandraConversion.Text => text,
        CassandraConversion.Smallint => short.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        CassandraConversion.Int => int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        CassandraConversion.Bigint => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        CassandraConversion.Float => float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        CassandraConversion.Double => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        CassandraConversion.Decimal => CqlDecimal.Parse(text),
        CassandraConversion.Boolean => text is "t" or "true",
        CassandraConversion.Blob => Bytea(text),
        CassandraConversion.Uuid => Guid.Parse(text, CultureInfo.InvariantCulture),
        CassandraConversion.Date => Date(text),
        CassandraConversion.Time => new CqlTime(TimeSpan.ParseExact(text, ["hh\\:mm\\:ss", "hh\\:mm\\:ss\\.FFFFFF"], CultureInfo.InvariantCulture).Ticks * 100),
        CassandraConversion.Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(FloorDiv(TimestampMicros(text), 1000)),
        _ => throw new InvalidOperationException($"no scalar conversion {conversion}"),
    };

    private static DateOnly Date(string text)
    {
        var days = ClickHouseTextConverter.DateDays(text);
        if (days is int.MaxValue or int.MinValue)
        {
            throw new CassandraValueException($"date '{text}' has no CQL date (infinite)");
        }

        var dayNumber = (long)days + new DateOnly(2000, 1, 1).DayNumber;
        return dayNumber is >= 0 and <= 3_652_058 ? DateOnly.FromDayNumber((int)dayNumber) : throw new CassandraValueException($"date '{text}' is outside years 1-9999");
    }

    private static byte[] Bytea(string text) =>
        text.StartsWith("\\x", StringComparison.Ordinal)
            ? System.Convert.FromHexString(text.AsSpan(2))
            : throw new CassandraValueException("bytea must arrive in hex format (bytea_output = hex, Postgres' default)");

    private static List<object?> ConvertArray(CassandraConversion element, string text)
    {
        if (text.Length < 2 || text[0] != '{' || text[^1] != '}')
        {
            throw new CassandraValueException($"array '{Shorten(text)}' is not a one-dimensional array with default bounds");
        }

        var items = new List<object?>();
        var item = new System.Text.StringBuilder();
        var i = 1;
        while (i < text.Length - 1)
        {
            item.Clear();
            var quoted = text[i] == '"';
            if (text[i] == '{')
            {
                throw new CassandraValueException($"array '{Shorten(text)}' is multidimensional; a CQL list holds one dimension");
            }

            if (quoted)
            {
                for (i++; i < text.Length - 1 && text[i] != '"'; i++)
                {
                    if (text[i] == '\\')
                    {
                        i++;
                    }

                    item.Append(text[i]);
                }

                i++;
            }
            else
            {
                for (; i < text.Length - 1 && text[i] != ','; i++)
                {
                    item.Append(text[i]);
                }
            }

            var value = item.ToString();
            if (!quoted && value.Equals("NULL", StringComparison.OrdinalIgnoreCase))
            {
                throw new CassandraValueException($"array '{Shorten(text)}' holds NULL, which a CQL list cannot");
            }

            items.Add(ConvertScalar(element, value));
            if (i < text.Length - 1)
            {
                i++;
            }
        }

        return items;
    }

    private static long FloorDiv(long value, long divisor) => (value / divisor) - ((value % divisor) < 0 ? 1 : 0);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
