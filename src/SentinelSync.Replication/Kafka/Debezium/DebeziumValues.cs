using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>Writes one column value, given in Postgres' text format, as Debezium's JSON for its <see cref="DebeziumColumnType"/>.</summary>
public static class DebeziumValues
{
    /// <summary>
    /// Writes <paramref name="value"/> as Kafka Connect's JsonConverter does: null as JSON null; an unchanged TOAST value
    /// as Debezium's placeholder (<see cref="DebeziumEnvelope.UnavailableValuePlaceholder"/>, as base64 bytes in a bytes
    /// column); text converted per <paramref name="type"/>.
    /// </summary>
    /// <exception cref="KafkaValueException">The value has no representation in this type (numeric NaN under decimalHandling
    /// precise; an unchanged TOAST value where the type cannot carry the placeholder, see <see cref="UnavailableRefused"/>).</exception>
    public static void Write(Utf8JsonWriter writer, DebeziumColumnType type, ColumnValue value)
    {
        switch (ToConnect(type, value))
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d when double.IsNaN(d):
                writer.WriteStringValue("NaN");
                break;
            case double d when double.IsInfinity(d):
                writer.WriteStringValue(d > 0 ? "Infinity" : "-Infinity");
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            case VariableScaleDecimal v:
                writer.WriteStartObject();
                writer.WriteNumber("scale", v.Scale);
                writer.WriteBase64String("value", v.Unscaled);
                writer.WriteEndObject();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
        }
    }

    /// <summary>
    /// <paramref name="value"/> as the Kafka Connect value of <paramref name="type"/>: null, <see cref="bool"/>,
    /// <see cref="int"/> (Date, Time), <see cref="long"/>, <see cref="double"/> (NaN and infinities included),
    /// <see cref="string"/>, <see cref="byte"/>[] (bytes, and a Decimal's unscaled value) or <see cref="VariableScaleDecimal"/>.
    /// An unchanged TOAST value is the placeholder (string or UTF-8 bytes) where the column can hold it.
    /// </summary>
    /// <exception cref="KafkaValueException">The value has no representation in this type (numeric NaN under decimalHandling
    /// precise; an unchanged TOAST value where the type cannot carry the placeholder).</exception>
    public static object? ToConnect(DebeziumColumnType type, ColumnValue value)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (value.IsNull)
        {
            return null;
        }

        if (value.IsUnchanged)
        {
            return Placeholder(type);
        }

        var text = value.Text!;
        switch (type.Kind)
        {
            case DebeziumValueKind.Boolean:
                return text == "t";
            case DebeziumValueKind.Integer:
                return long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            case DebeziumValueKind.Float or DebeziumValueKind.DecimalAsDouble:
                return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            case DebeziumValueKind.Bytes:
                return Bytea(text);
            case DebeziumValueKind.FixedDecimal:
                return Unscaled(text, out _);
            case DebeziumValueKind.VariableDecimal:
                var unscaled = Unscaled(text, out var scale);
                return new VariableScaleDecimal(scale, unscaled);
            case DebeziumValueKind.Date:
                return text switch
                {
                    "infinity" => int.MaxValue,
                    "-infinity" => int.MinValue,
                    _ => checked((int)PostgresTemporalText.Days(text)),
                };
            case DebeziumValueKind.TimeMillis:
                return (int)(PostgresTemporalText.TimeOfDay(text).Micros / 1000);
            case DebeziumValueKind.TimeMicros:
                return PostgresTemporalText.TimeOfDay(text).Micros;
            case DebeziumValueKind.ZonedTime:
                var (micros, offset) = PostgresTemporalText.TimeOfDay(text);
                var day = PostgresTemporalText.MicrosPerDayValue;
                return PostgresTemporalText.IsoTime((((micros - (offset ?? 0) * 1_000_000L) % day) + day) % day) + "Z";
            case DebeziumValueKind.TimestampMillis:
                return Infinite(text) ?? Math.DivRem(PostgresTemporalText.EpochMicros(text), 1000, out var rest) - (rest < 0 ? 1 : 0);
            case DebeziumValueKind.TimestampMicros:
                return Infinite(text) ?? PostgresTemporalText.EpochMicros(text);
            case DebeziumValueKind.ZonedTimestamp:
                return text is "infinity" or "-infinity" ? text : PostgresTemporalText.IsoUtc(PostgresTemporalText.EpochMicros(text));
            default:
                return text;
        }
    }

    /// <summary>
    /// The refusal of an unchanged TOAST value in <paramref name="column"/> of <paramref name="table"/>, whose type cannot
    /// carry Debezium's placeholder: null would make every consumer erase the value it holds, so the change goes to the
    /// dead-letter queue instead (the same refusal for debezium-json and debezium-avro).
    /// </summary>
    public static KafkaValueException UnavailableRefused(TableName table, ColumnSchema column) => new(
        $"column {column.Name} of {table}: an unchanged TOAST value of type {column.TypeName} has no Debezium form (only string and bytes fields carry the unavailable-value placeholder; null would erase the value); use REPLICA IDENTITY FULL on the table");

    private static object Placeholder(DebeziumColumnType type) => type switch
    {
        { TakesPlaceholder: false } => throw new KafkaValueException(
            $"an unchanged TOAST value has no Debezium form in a {type.Name ?? type.Type} field (only string and bytes fields carry the unavailable-value placeholder); use REPLICA IDENTITY FULL on the table"),
        { Type: "bytes" } => Encoding.UTF8.GetBytes(DebeziumEnvelope.UnavailableValuePlaceholder),
        // Only varlena types are TOASTed; of those, numeric maps to numbers or structs, which cannot hold the marker.
        _ => DebeziumEnvelope.UnavailableValuePlaceholder,
    };

    private static long? Infinite(string text) => text switch
    {
        "infinity" => long.MaxValue,
        "-infinity" => long.MinValue,
        _ => null,
    };

    /// <summary>bytea's hex text output (<c>\x0a1b…</c>) as bytes.</summary>
    private static byte[] Bytea(string text) =>
        text.StartsWith("\\x", StringComparison.Ordinal)
            ? Convert.FromHexString(text.AsSpan(2))
            : throw new KafkaValueException($"bytea value is not in hex output format (bytea_output=hex): '{(text.Length > 20 ? text[..20] + "…" : text)}'");

    /// <summary>The unscaled value of a numeric's text as big-endian two's-complement bytes (Kafka Connect Decimal), and its scale.</summary>
    private static byte[] Unscaled(string text, out int scale)
    {
        if (text is "NaN" or "Infinity" or "-Infinity")
        {
            throw new KafkaValueException($"numeric value {text} has no Kafka Connect Decimal representation; set decimalHandling: string to carry it");
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        scale = point < 0 ? 0 : text.Length - point - 1;
        var digits = point < 0 ? text : string.Concat(text.AsSpan(0, point), text.AsSpan(point + 1));
        return BigInteger.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToByteArray(isUnsigned: false, isBigEndian: true);
    }
}
