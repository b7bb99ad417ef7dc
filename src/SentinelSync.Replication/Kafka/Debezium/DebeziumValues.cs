using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>Writes one column value, given in Postgres' text format, as Debezium's JSON for its <see cref="DebeziumColumnType"/>.</summary>
public static class DebeziumValues
{
    /// <summary>
    /// Writes <paramref name="value"/>: null as JSON null; an unchanged TOAST value as Debezium's placeholder
    /// (<see cref="DebeziumEnvelope.UnavailableValuePlaceholder"/>, as base64 bytes in a bytes column) where the column
    /// can hold it, as null otherwise; text converted per <paramref name="type"/>.
    /// </summary>
    /// <exception cref="KafkaValueException">The value has no representation in this type (numeric NaN under decimalHandling precise).</exception>
    public static void Write(Utf8JsonWriter writer, DebeziumColumnType type, ColumnValue value)
    {
        if (value.IsNull)
        {
            writer.WriteNullValue();
            return;
        }

        if (value.IsUnchanged)
        {
            WritePlaceholder(writer, type);
            return;
        }

        var text = value.Text!;
        switch (type.Kind)
        {
            case DebeziumValueKind.Boolean:
                writer.WriteBooleanValue(text == "t");
                break;
            case DebeziumValueKind.Integer:
                writer.WriteRawValue(text, skipInputValidation: true);
                break;
            case DebeziumValueKind.Float:
                WriteFloat(writer, text);
                break;
            case DebeziumValueKind.Bytes:
                writer.WriteBase64StringValue(Bytea(text));
                break;
            case DebeziumValueKind.FixedDecimal:
                writer.WriteBase64StringValue(Unscaled(text, out _));
                break;
            case DebeziumValueKind.VariableDecimal:
                var unscaled = Unscaled(text, out var scale);
                writer.WriteStartObject();
                writer.WriteNumber("scale", scale);
                writer.WriteBase64String("value", unscaled);
                writer.WriteEndObject();
                break;
            case DebeziumValueKind.DecimalAsDouble:
                WriteFloat(writer, text);
                break;
            case DebeziumValueKind.Date:
                writer.WriteNumberValue(text switch
                {
                    "infinity" => int.MaxValue,
                    "-infinity" => int.MinValue,
                    _ => checked((int)PostgresTemporalText.Days(text)),
                });
                break;
            case DebeziumValueKind.TimeMillis:
                writer.WriteNumberValue(PostgresTemporalText.TimeOfDay(text).Micros / 1000);
                break;
            case DebeziumValueKind.TimeMicros:
                writer.WriteNumberValue(PostgresTemporalText.TimeOfDay(text).Micros);
                break;
            case DebeziumValueKind.ZonedTime:
                var (micros, offset) = PostgresTemporalText.TimeOfDay(text);
                var day = PostgresTemporalText.MicrosPerDayValue;
                writer.WriteStringValue(PostgresTemporalText.IsoTime((((micros - (offset ?? 0) * 1_000_000L) % day) + day) % day) + "Z");
                break;
            case DebeziumValueKind.TimestampMillis:
                writer.WriteNumberValue(Infinite(text) ?? Math.DivRem(PostgresTemporalText.EpochMicros(text), 1000, out var rest) - (rest < 0 ? 1 : 0));
                break;
            case DebeziumValueKind.TimestampMicros:
                writer.WriteNumberValue(Infinite(text) ?? PostgresTemporalText.EpochMicros(text));
                break;
            case DebeziumValueKind.ZonedTimestamp:
                writer.WriteStringValue(text is "infinity" or "-infinity" ? text : PostgresTemporalText.IsoUtc(PostgresTemporalText.EpochMicros(text)));
                break;
            default:
                writer.WriteStringValue(text);
                break;
        }
    }

    private static void WritePlaceholder(Utf8JsonWriter writer, DebeziumColumnType type)
    {
        switch (type.Type)
        {
            case "string":
                writer.WriteStringValue(DebeziumEnvelope.UnavailableValuePlaceholder);
                break;
            case "bytes":
                writer.WriteBase64StringValue(Encoding.UTF8.GetBytes(DebeziumEnvelope.UnavailableValuePlaceholder));
                break;
            default:
                // Only varlena types are TOASTed; those mapped to numbers or structs (numeric) cannot hold the marker.
                writer.WriteNullValue();
                break;
        }
    }

    private static long? Infinite(string text) => text switch
    {
        "infinity" => long.MaxValue,
        "-infinity" => long.MinValue,
        _ => null,
    };

    private static void WriteFloat(Utf8JsonWriter writer, string text)
    {
        if (text is "NaN" or "Infinity" or "-Infinity")
        {
            writer.WriteStringValue(text);
        }
        else
        {
            writer.WriteNumberValue(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
    }

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
