using System.Globalization;

namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// Reads Postgres' ISO text output of date and time types (<c>2024-01-02 03:04:05.123456+05:30</c>, <c>… BC</c>,
/// years past 9999) into epoch-based numbers, on the proleptic Gregorian calendar Postgres uses, and writes
/// Debezium's ISO-8601 UTC strings back. <c>infinity</c> values are handled by the caller.
/// </summary>
internal static class PostgresTemporalText
{
    private const long MicrosPerSecond = 1_000_000;
    private const long MicrosPerDay = 86_400 * MicrosPerSecond;

    /// <summary>Days since 1970-01-01 of <c>YYYY-MM-DD[ BC]</c>.</summary>
    public static long Days(string text)
    {
        var bc = text.EndsWith(" BC", StringComparison.Ordinal);
        var date = bc ? text[..^3] : text;
        var parts = date.Split('-');
        if (parts.Length != 3)
        {
            throw new FormatException($"'{text}' is not a Postgres ISO date");
        }

        var year = long.Parse(parts[0], CultureInfo.InvariantCulture);
        return DaysFromCivil(bc ? 1 - year : year, int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Microseconds since midnight of <c>HH:MM:SS[.ffffff]</c> (24:00:00 included), and the UTC offset in seconds after it, if any.</summary>
    public static (long Micros, int? OffsetSeconds) TimeOfDay(string text)
    {
        var offsetAt = text.IndexOfAny(['+', '-']);
        var clock = offsetAt < 0 ? text : text[..offsetAt];
        var fields = clock.Split(':');
        if (fields.Length != 3)
        {
            throw new FormatException($"'{text}' is not a Postgres time");
        }

        var seconds = decimal.Parse(fields[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var micros = (long.Parse(fields[0], CultureInfo.InvariantCulture) * 3600 + long.Parse(fields[1], CultureInfo.InvariantCulture) * 60) * MicrosPerSecond
            + (long)(seconds * MicrosPerSecond);
        return (micros, offsetAt < 0 ? null : Offset(text[offsetAt..]));
    }

    /// <summary>Microseconds since the epoch of <c>YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM[:SS]]][ BC]</c>, converted to UTC when an offset is given.</summary>
    public static long EpochMicros(string text)
    {
        var bc = text.EndsWith(" BC", StringComparison.Ordinal);
        var body = bc ? text[..^3] : text;
        var space = body.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            throw new FormatException($"'{text}' is not a Postgres ISO timestamp");
        }

        var days = Days(body[..space] + (bc ? " BC" : ""));
        var (micros, offset) = TimeOfDay(body[(space + 1)..]);
        return days * MicrosPerDay + micros - (offset ?? 0) * MicrosPerSecond;
    }

    /// <summary>Debezium's ZonedTimestamp text: <c>2024-01-02T03:04:05.123456Z</c> (fraction without trailing zeros, none when whole).</summary>
    public static string IsoUtc(long epochMicros)
    {
        var days = Math.DivRem(epochMicros, MicrosPerDay, out var inDay);
        if (inDay < 0)
        {
            days--;
            inDay += MicrosPerDay;
        }

        var (year, month, day) = CivilFromDays(days);
        var yearText = year is >= 0 and <= 9999 ? year.ToString("D4", CultureInfo.InvariantCulture) : year.ToString("+0000;-0000", CultureInfo.InvariantCulture);
        return $"{yearText}-{month:D2}-{day:D2}T{IsoTime(inDay)}Z";
    }

    /// <summary><c>HH:MM:SS[.ffffff]</c> of microseconds since midnight (Debezium's ZonedTime without the Z).</summary>
    public static string IsoTime(long micros)
    {
        var seconds = Math.DivRem(micros, MicrosPerSecond, out var fraction);
        var text = string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:D2}:{seconds / 60 % 60:D2}:{seconds % 60:D2}");
        return fraction == 0 ? text : text + "." + fraction.ToString("D6", CultureInfo.InvariantCulture).TrimEnd('0');
    }

    public static long MicrosPerDayValue => MicrosPerDay;

    private static int Offset(string text)
    {
        var sign = text[0] == '-' ? -1 : 1;
        var fields = text[1..].Split(':');
        var seconds = int.Parse(fields[0], CultureInfo.InvariantCulture) * 3600;
        if (fields.Length > 1)
        {
            seconds += int.Parse(fields[1], CultureInfo.InvariantCulture) * 60;
        }

        if (fields.Length > 2)
        {
            seconds += int.Parse(fields[2], CultureInfo.InvariantCulture);
        }

        return sign * seconds;
    }

    // Days from civil and back on the proleptic Gregorian calendar (H. Hinnant's public-domain algorithms).
    private static long DaysFromCivil(long year, int month, int day)
    {
        year -= month <= 2 ? 1 : 0;
        var era = (year >= 0 ? year : year - 399) / 400;
        var yearOfEra = year - era * 400;
        var dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        var dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146097 + dayOfEra - 719468;
    }

    private static (long Year, int Month, int Day) CivilFromDays(long days)
    {
        days += 719468;
        var era = (days >= 0 ? days : days - 146096) / 146097;
        var dayOfEra = days - era * 146097;
        var yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        var dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        var mp = (5 * dayOfYear + 2) / 153;
        var day = (int)(dayOfYear - (153 * mp + 2) / 5 + 1);
        var month = (int)(mp < 10 ? mp + 3 : mp - 9);
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day);
    }
}
