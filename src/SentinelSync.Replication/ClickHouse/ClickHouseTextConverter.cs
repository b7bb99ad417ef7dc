using System.Globalization;
using System.Text;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Converts one value from Postgres' text format (ISO DateStyle, hex bytea, as pgoutput and COPY send them) to
/// the plain (unescaped) ClickHouse text of one column part. Null means the part is NULL for this value.
/// Throws <see cref="ClickHouseValueException"/> for a value the part cannot hold.
/// </summary>
public static class ClickHouseTextConverter
{
    /// <summary>Last second a 18.16 <c>DateTime</c> holds without wrapping: 2105-12-31 23:59:59 UTC.</summary>
    public const long MaxDateTimeSeconds = 4_291_747_199;

    /// <summary>Last day (since 1970-01-01) a 18.16 <c>Date</c> holds safely: 2105-12-31.</summary>
    public const int MaxDateDays = 49_672;

    /// <summary>Days from 1970-01-01 to 2000-01-01, Postgres' epoch.</summary>
    public const int PostgresEpochDays = 10_957;

    private const long MicrosPerDay = 86_400_000_000;

    /// <summary>The plain ClickHouse text of <paramref name="text"/> for <paramref name="part"/>.</summary>
    public static string? Convert(ClickHouseColumnPart part, string text)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(text);
        return part.Conversion == ClickHouseConversion.Array ? ConvertArray(part.Element, text) : ConvertScalar(part.Conversion, text);
    }

    /// <summary>The plain ClickHouse text of a scalar (never an array).</summary>
    public static string? ConvertScalar(ClickHouseConversion conversion, string text) => conversion switch
    {
        ClickHouseConversion.Text or ClickHouseConversion.Number or ClickHouseConversion.Uuid => text,
        ClickHouseConversion.Decimal => text is "NaN" or "Infinity" or "-Infinity"
            ? throw new ClickHouseValueException($"numeric value '{text}' cannot be held by a ClickHouse Decimal; map the column as unconstrained numeric (String) to keep it.")
            : text,
        ClickHouseConversion.Float => text switch { "NaN" => "nan", "Infinity" => "inf", "-Infinity" => "-inf", _ => Subnormal(text) },
        ClickHouseConversion.Boolean => text switch
        {
            "t" or "true" => "1",
            "f" or "false" => "0",
            _ => throw new ClickHouseValueException($"'{text}' is not a boolean in Postgres' text format."),
        },
        ClickHouseConversion.Bytea => ByteaHex(text),
        ClickHouseConversion.DateDays => DateDays(text).ToString(CultureInfo.InvariantCulture),
        ClickHouseConversion.DateInRange => DateInRange(DateDays(text)),
        ClickHouseConversion.TimestampMicros => TimestampMicros(text).ToString(CultureInfo.InvariantCulture),
        ClickHouseConversion.TimestampInRange => TimestampInRange(TimestampMicros(text)),
        _ => throw new ArgumentOutOfRangeException(nameof(conversion), conversion, "Not a scalar conversion."),
    };

    /// <summary>
    /// Days since 2000-01-01 (Postgres' own epoch, so every date Postgres holds fits an Int32) of an ISO date
    /// (<c>2020-01-02</c>, <c>0044-03-15 BC</c>, <c>±infinity</c> as Int32's minimum/maximum, like Postgres).
    /// </summary>
    public static int DateDays(string text)
    {
        switch (text)
        {
            case "infinity":
                return int.MaxValue;
            case "-infinity":
                return int.MinValue;
        }

        var position = 0;
        var days = ParseDate(text, ref position);
        ParseEra(text, ref position, ref days);
        if (position != text.Length)
        {
            throw NotIso(text, "date");
        }

        return checked((int)(days - PostgresEpochDays));
    }

    /// <summary>
    /// Microseconds since 2000-01-01 00:00 UTC (Postgres' own epoch, so every timestamp Postgres holds fits an
    /// Int64) of an ISO timestamp with or without offset
    /// (<c>2020-01-02 03:04:05.123456+05:30</c>, <c>… BC</c>, <c>±infinity</c>); without offset the wall clock
    /// is taken as UTC. ISO 8601's <c>T</c> separator and <c>Z</c> offset are read too: a Kafka source passes Debezium's
    /// ZonedTimestamp text (<c>2024-01-01T21:34:05.5Z</c>) through as it came, and Postgres reads that form as well.
    /// </summary>
    public static long TimestampMicros(string text)
    {
        switch (text)
        {
            case "infinity":
                return long.MaxValue;
            case "-infinity":
                return long.MinValue;
        }

        var p = 0;
        var days = ParseDate(text, ref p);
        if (p >= text.Length || text[p] is not (' ' or 'T'))
        {
            throw NotIso(text, "timestamp");
        }

        p++;
        var hours = Digits(text, ref p, 2, 2);
        Expect(text, ref p, ':');
        var minutes = Digits(text, ref p, 2, 2);
        Expect(text, ref p, ':');
        var seconds = Digits(text, ref p, 2, 2);
        long fraction = 0;
        if (p < text.Length && text[p] == '.')
        {
            p++;
            var start = p;
            fraction = Digits(text, ref p, 1, 6);
            for (var i = p - start; i < 6; i++)
            {
                fraction *= 10;
            }
        }

        long offsetSeconds = 0;
        if (p == text.Length - 1 && text[p] == 'Z')
        {
            p++;
        }
        else if (p < text.Length && text[p] is '+' or '-')
        {
            var sign = text[p] == '-' ? -1 : 1;
            p++;
            offsetSeconds = Digits(text, ref p, 2, 2) * 3600;
            if (p < text.Length && text[p] == ':')
            {
                p++;
                offsetSeconds += Digits(text, ref p, 2, 2) * 60;
                if (p < text.Length && text[p] == ':')
                {
                    p++;
                    offsetSeconds += Digits(text, ref p, 2, 2);
                }
            }

            offsetSeconds *= sign;
        }

        ParseEra(text, ref p, ref days);
        if (p != text.Length)
        {
            throw NotIso(text, "timestamp");
        }

        try
        {
            return checked(((days - PostgresEpochDays) * MicrosPerDay) + ((((hours * 60) + minutes) * 60) + seconds - offsetSeconds) * 1_000_000 + fraction);
        }
        catch (OverflowException)
        {
            throw new ClickHouseValueException($"timestamp '{text}' is beyond what microseconds since 2000 in an Int64 hold (and beyond Postgres' range).");
        }
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (astronomical years: 1 BC is year 0).</summary>
    public static long DaysFromCivil(long year, long month, long day)
    {
        year -= month <= 2 ? 1 : 0;
        var era = (year >= 0 ? year : year - 399) / 400;
        var yearOfEra = year - (era * 400);
        var dayOfYear = ((153 * (month + (month > 2 ? -3 : 9))) + 2) / 5 + day - 1;
        var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146_097) + dayOfEra - 719_468;
    }

    private static string? DateInRange(int days2000)
    {
        var days = (long)days2000 + PostgresEpochDays;
        return days is >= 0 and <= MaxDateDays
            ? DateTime.UnixEpoch.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;
    }

    private static string? TimestampInRange(long micros2000)
    {
        var seconds = Math.DivRem(micros2000, 1_000_000, out var rest) - (rest < 0 ? 1 : 0) + (PostgresEpochDays * 86_400L);
        return micros2000 is not (long.MinValue or long.MaxValue) && seconds is >= 0 and <= MaxDateTimeSeconds
            ? DateTime.UnixEpoch.AddSeconds(seconds).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>
    /// 18.16 parses the smallest subnormal doubles written with exponent -324 (Postgres prints 5e-324) as 0;
    /// the same value with the decimal point moved (<c>0.5e-323</c>) parses exactly.
    /// </summary>
    private static string Subnormal(string text)
    {
        if (!text.EndsWith("e-324", StringComparison.Ordinal))
        {
            return text;
        }

        var mantissa = text[..^5];
        var negative = mantissa.StartsWith('-');
        var digits = mantissa.TrimStart('-').Replace(".", "", StringComparison.Ordinal);
        return (negative ? "-0." : "0.") + digits + "e-323";
    }

    private static string ByteaHex(string text)
    {
        if (text.StartsWith("\\x", StringComparison.Ordinal))
        {
            return text[2..].ToLowerInvariant();
        }

        // bytea_output = escape: printable bytes as themselves, \\ for a backslash, \nnn octal for the rest.
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                bytes.Add((byte)text[i]);
            }
            else if (i + 1 < text.Length && text[i + 1] == '\\')
            {
                bytes.Add((byte)'\\');
                i++;
            }
            else if (i + 3 < text.Length && int.TryParse(text.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                bytes.Add(System.Convert.ToByte(text.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                throw new ClickHouseValueException($"'{text}' is neither hex nor escape format bytea.");
            }
        }

        return System.Convert.ToHexStringLower(bytes.ToArray());
    }

    private static string ConvertArray(ClickHouseConversion element, string text)
    {
        if (text.Length < 2 || text[0] != '{' || text[^1] != '}')
        {
            throw new ClickHouseValueException($"array '{Shorten(text)}' is not a one-dimensional array with default bounds; ClickHouse Array holds only those.");
        }

        var builder = new StringBuilder(text.Length + 2).Append('[');
        var item = new StringBuilder();
        var i = 1;
        var first = true;
        while (i < text.Length - 1)
        {
            item.Clear();
            var quoted = false;
            if (text[i] == '{')
            {
                throw new ClickHouseValueException($"array '{Shorten(text)}' is multidimensional; ClickHouse Array(Nullable(T)) holds one dimension.");
            }

            if (text[i] == '"')
            {
                quoted = true;
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

            builder.Append(first ? "" : ",");
            first = false;
            var value = item.ToString();
            if (!quoted && value.Equals("NULL", StringComparison.OrdinalIgnoreCase))
            {
                builder.Append("NULL");
            }
            else if (ConvertScalar(element, value) is not { } converted)
            {
                builder.Append("NULL");
            }
            else if (element is ClickHouseConversion.Text or ClickHouseConversion.Bytea or ClickHouseConversion.Uuid)
            {
                ClickHouseEscaping.AppendQuoted(builder, converted);
            }
            else
            {
                // 18.16 reads an element starting with 'n' inside Array(Nullable(Float)) as NULL and fails on "nan"; "-nan" is NaN too.
                builder.Append(element == ClickHouseConversion.Float && converted == "nan" ? "-nan" : converted);
            }

            if (i < text.Length - 1)
            {
                if (text[i] != ',')
                {
                    throw new ClickHouseValueException($"array '{Shorten(text)}' is not in Postgres' array text format.");
                }

                i++;
            }
        }

        return builder.Append(']').ToString();
    }

    private static long ParseDate(string text, ref int p)
    {
        var year = Digits(text, ref p, 4, 9);
        Expect(text, ref p, '-');
        var month = Digits(text, ref p, 2, 2);
        Expect(text, ref p, '-');
        var day = Digits(text, ref p, 2, 2);
        if (month is < 1 or > 12 || day is < 1 or > 31)
        {
            throw NotIso(text, "date");
        }

        return DaysFromCivil(year, month, day);
    }

    /// <summary>A trailing <c> BC</c>: year Y BC is astronomical year 1 - Y, so move the days back by that many years.</summary>
    private static void ParseEra(string text, ref int p, ref long days)
    {
        if (!text.AsSpan(p).SequenceEqual(" BC"))
        {
            return;
        }

        // Recompute from the date at the start of the text with the astronomical year.
        var q = 0;
        var year = Digits(text, ref q, 4, 9);
        q++;
        var month = Digits(text, ref q, 2, 2);
        q++;
        var day = Digits(text, ref q, 2, 2);
        days += DaysFromCivil(1 - year, month, day) - DaysFromCivil(year, month, day);
        p += 3;
    }

    private static long Digits(string text, ref int p, int min, int max)
    {
        var start = p;
        long value = 0;
        while (p < text.Length && p - start < max && char.IsAsciiDigit(text[p]))
        {
            value = (value * 10) + (text[p] - '0');
            p++;
        }

        return p - start >= min ? value : throw NotIso(text, "date/time");
    }

    private static void Expect(string text, ref int p, char expected)
    {
        if (p >= text.Length || text[p] != expected)
        {
            throw NotIso(text, "date/time");
        }

        p++;
    }

    private static ClickHouseValueException NotIso(string text, string what) =>
        new($"'{Shorten(text)}' is not an ISO {what} in Postgres' text format (DateStyle ISO expected).");

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
