using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Kafka Connect values (as the JSON converter writes them) to Postgres text format, and Connect schemas to
/// Postgres types. With a field schema the type is exact (Debezium's logical types included: decimals as bytes
/// with a scale, dates as days, times and timestamps in milli-, micro- or nanoseconds since midnight or the epoch);
/// without one it is inferred from the JSON value. Debezium's <see cref="UnavailablePlaceholder"/> (in a text,
/// binary or array column) becomes <see cref="ColumnValue.Unchanged"/>: the destination keeps its value.
/// </summary>
internal static class ConnectValues
{
    /// <summary>What Debezium writes where a value exists but was not available to it (unchanged TOAST, by default).</summary>
    public const string UnavailablePlaceholder = "__debezium_unavailable_value";

    private static readonly string s_placeholderBase64 = System.Convert.ToBase64String(Encoding.UTF8.GetBytes(UnavailablePlaceholder));

    /// <summary>The Postgres type of a Connect field schema.</summary>
    public static ObservedType TypeOf(JsonElement schema)
    {
        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (LogicalName(schema))
        {
            case "org.apache.kafka.connect.data.Decimal":
                var scale = Parameter(schema, "scale");
                var precision = Parameter(schema, "connect.decimal.precision");
                return scale is not null && precision is not null
                    ? new ObservedType($"numeric({precision},{scale})", PostgresTypes.Numeric.Oid)
                    : PostgresTypes.Numeric;
            case "io.debezium.data.VariableScaleDecimal":
                return PostgresTypes.Numeric;
            case "io.debezium.time.Date" or "org.apache.kafka.connect.data.Date":
                return PostgresTypes.Date;
            case "io.debezium.time.Time" or "io.debezium.time.MicroTime" or "io.debezium.time.NanoTime" or "org.apache.kafka.connect.data.Time":
                return PostgresTypes.Time;
            case "io.debezium.time.Timestamp" or "io.debezium.time.MicroTimestamp" or "io.debezium.time.NanoTimestamp" or "org.apache.kafka.connect.data.Timestamp":
                return PostgresTypes.Timestamp;
            case "io.debezium.time.ZonedTimestamp":
                return PostgresTypes.TimestampTz;
            case "io.debezium.time.ZonedTime":
                return PostgresTypes.TimeTz;
            case "io.debezium.time.MicroDuration":
                return PostgresTypes.Interval;
            case "io.debezium.data.Uuid":
                return PostgresTypes.Uuid;
            case "io.debezium.data.Json":
                return PostgresTypes.Jsonb;
        }

        return type switch
        {
            "int8" or "int16" => PostgresTypes.Smallint,
            "int32" => PostgresTypes.Integer,
            "int64" => PostgresTypes.Bigint,
            // The JSON converter names Connect's FLOAT32/FLOAT64 "float" and "double"; the enum names are accepted too.
            "float" or "float32" => PostgresTypes.Real,
            "double" or "float64" => PostgresTypes.Double,
            "boolean" => PostgresTypes.Boolean,
            "string" => PostgresTypes.Text,
            "bytes" => PostgresTypes.Bytea,
            "array" when schema.TryGetProperty("items", out var items) && PostgresTypes.ArrayOf(TypeOf(items)) is { } array => array,
            "array" or "struct" or "map" => PostgresTypes.Jsonb,
            _ => throw new PoisonMessageException($"unknown Kafka Connect schema type '{type}'"),
        };
    }

    /// <summary>The type a schemaless JSON value suggests; null for a JSON null (nothing to tell from).</summary>
    public static ObservedType? Infer(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => PostgresTypes.Text,
        JsonValueKind.Number => value.TryGetInt64(out _) && IsPlainInteger(value.GetRawText()) ? PostgresTypes.Bigint : PostgresTypes.Numeric,
        JsonValueKind.True or JsonValueKind.False => PostgresTypes.Boolean,
        JsonValueKind.Object or JsonValueKind.Array => PostgresTypes.Jsonb,
        _ => null,
    };

    /// <summary>The value in Postgres' text format for a column of <paramref name="schema"/> (null: schemaless).</summary>
    public static ColumnValue Convert(JsonElement value, JsonElement? schema) =>
        Convert(value, schema, schema is { } s ? FieldFacts.Of(s) : null);

    /// <summary>
    /// <see cref="Convert(JsonElement, JsonElement?)"/> for a cached schema, whose name, type and scale are read
    /// once rather than for every value.
    /// </summary>
    public static ColumnValue Convert(JsonElement value, ConnectSchema? schema) =>
        Convert(value, schema?.Element, schema?.Facts);

    private static ColumnValue Convert(JsonElement value, JsonElement? schema, FieldFacts? facts)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return ColumnValue.Null;
        }

        if (IsPlaceholder(value))
        {
            return ColumnValue.Unchanged;
        }

        if (schema is not { } s)
        {
            return ColumnValue.Of(Schemaless(value));
        }

        try
        {
            return ColumnValue.Of(WithSchema(value, s, facts!));
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new PoisonMessageException($"value {Truncate(value.GetRawText())} does not fit its schema {Truncate(s.GetRawText())}: {e.Message}", e);
        }
    }

    /// <summary>Debezium's placeholder as a string, as base64 bytes, or as the only element of an array.</summary>
    public static bool IsPlaceholder(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.ValueEquals(UnavailablePlaceholder) || value.ValueEquals(s_placeholderBase64),
        JsonValueKind.Array => value.GetArrayLength() == 1 && IsPlaceholder(value[0]),
        _ => false,
    };

    private static string WithSchema(JsonElement value, JsonElement schema, FieldFacts facts)
    {
        switch (facts.LogicalName)
        {
            case "org.apache.kafka.connect.data.Decimal":
                // The JSON converter writes bytes as base64 (decimal.format=BASE64, the default) or a number (NUMERIC).
                return value.ValueKind == JsonValueKind.Number
                    ? value.GetRawText()
                    : Decimal(System.Convert.FromBase64String(value.GetString()!), int.Parse(facts.Scale ?? "0", CultureInfo.InvariantCulture));
            case "io.debezium.data.VariableScaleDecimal":
                return Decimal(System.Convert.FromBase64String(value.GetProperty("value").GetString()!), value.GetProperty("scale").GetInt32());
            case "io.debezium.time.Date" or "org.apache.kafka.connect.data.Date":
                return Date(value.GetInt64());
            case "io.debezium.time.Time" or "org.apache.kafka.connect.data.Time":
                return TimeOfDay(value.GetInt64(), 3);
            case "io.debezium.time.MicroTime":
                return TimeOfDay(value.GetInt64(), 6);
            case "io.debezium.time.NanoTime":
                return TimeOfDay(value.GetInt64(), 9);
            case "io.debezium.time.Timestamp" or "org.apache.kafka.connect.data.Timestamp":
                return Timestamp(value.GetInt64(), 3);
            case "io.debezium.time.MicroTimestamp":
                return Timestamp(value.GetInt64(), 6);
            case "io.debezium.time.NanoTimestamp":
                return Timestamp(value.GetInt64(), 9);
            case "io.debezium.time.MicroDuration":
                return string.Create(CultureInfo.InvariantCulture, $"{value.GetInt64()} microseconds");
        }

        var type = facts.Type ?? schema.GetProperty("type").GetString();
        return type switch
        {
            "bytes" => Bytea(System.Convert.FromBase64String(value.GetString()!)),
            "boolean" => value.GetBoolean() ? "true" : "false",
            "int8" or "int16" or "int32" or "int64" => value.GetInt64().ToString(CultureInfo.InvariantCulture),
            "float" or "double" or "float32" or "float64" => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(),
            "string" => value.GetString()!,
            "array" when schema.TryGetProperty("items", out var items) && PostgresTypes.ArrayOf(TypeOf(items)) is not null =>
                ArrayLiteral(value, items, FieldFacts.Of(items)),
            _ => value.GetRawText(),
        };
    }

    private static string Schemaless(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    /// <summary>A Connect decimal: big-endian two's-complement unscaled value and a scale, written exactly.</summary>
    internal static string Decimal(byte[] unscaled, int scale)
    {
        var digits = new BigInteger(unscaled, isUnsigned: false, isBigEndian: true);
        var negative = digits.Sign < 0;
        var text = BigInteger.Abs(digits).ToString(CultureInfo.InvariantCulture);
        if (scale > 0)
        {
            text = text.PadLeft(scale + 1, '0');
            text = $"{text[..^scale]}.{text[^scale..]}";
        }
        else if (scale < 0)
        {
            text += new string('0', -scale);
        }

        return negative ? "-" + text : text;
    }

    internal static string Date(long daysSinceEpoch) =>
        DateOnly.FromDayNumber(checked((int)(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + daysSinceEpoch))).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A time of day from units (10^-<paramref name="digits"/> s) since midnight, exact to the unit.</summary>
    internal static string TimeOfDay(long units, int digits)
    {
        var perSecond = Pow10(digits);
        var seconds = units / perSecond;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}{Fraction(units % perSecond, digits)}");
    }

    /// <summary>A timestamp without time zone from units (10^-<paramref name="digits"/> s) since the epoch, exact to the unit.</summary>
    internal static string Timestamp(long units, int digits)
    {
        var perSecond = Pow10(digits);
        var seconds = Math.DivRem(units, perSecond, out var fraction);
        if (fraction < 0)
        {
            seconds--;
            fraction += perSecond;
        }

        var at = DateTime.UnixEpoch.AddSeconds(seconds);
        return at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + Fraction(fraction, digits);
    }

    private static string Fraction(long fraction, int digits) =>
        fraction == 0 ? "" : "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');

    private static long Pow10(int digits) => digits switch { 3 => 1_000, 6 => 1_000_000, _ => 1_000_000_000 };

    private static string Bytea(byte[] bytes) => @"\x" + System.Convert.ToHexStringLower(bytes);

    private static string ArrayLiteral(JsonElement array, JsonElement items, FieldFacts facts)
    {
        var elements = array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null
            ? "NULL"
            : "\"" + WithSchema(e, items, facts).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
        return "{" + string.Join(',', elements) + "}";
    }

    internal static string? LogicalName(JsonElement schema) =>
        schema.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;

    internal static string? Parameter(JsonElement schema, string name) =>
        schema.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool IsPlainInteger(string raw) => raw.All(c => c is '-' or (>= '0' and <= '9'));

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
