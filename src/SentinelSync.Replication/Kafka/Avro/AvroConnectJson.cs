using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Avro;
using Avro.Generic;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Replication.Kafka.Avro;

/// <summary>
/// An Avro record as Kafka Connect's JsonConverter (schemas enabled) would write the same Connect data: the Connect
/// schema derived from the Avro schema as AvroConverter does (<c>connect.name</c>, <c>connect.parameters</c>,
/// <c>connect.type</c>; <c>["null", T]</c> → optional T; the <c>decimal</c> logical type → Connect Decimal) under
/// <c>schema</c>, and the value under <c>payload</c> (bytes base64, decimals as their unscaled bytes). This lets
/// Avro events take the JSON decoder's path unchanged.
/// </summary>
internal static class AvroConnectJson
{
    public static byte[] Of(GenericRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("schema");
            WriteSchema(writer, record.Schema, optional: false, field: null);
            writer.WritePropertyName("payload");
            WriteValue(writer, record.Schema, record);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteSchema(Utf8JsonWriter writer, Schema schema, bool optional, string? field)
    {
        if (schema is UnionSchema union)
        {
            var nonNull = AvroSchemas.NonNull(union);
            if (ReferenceEquals(nonNull, union))
            {
                throw new PoisonMessageException($"the Avro union {union} has no Kafka Connect form (only [\"null\", T] is optional T)");
            }

            WriteSchema(writer, nonNull, optional: true, field);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("type", ConnectType(schema));
        switch (schema)
        {
            case RecordSchema record:
                writer.WriteStartArray("fields");
                foreach (var f in record.Fields)
                {
                    WriteSchema(writer, f.Schema, optional: false, f.Name);
                }

                writer.WriteEndArray();
                break;
            case ArraySchema array:
                writer.WritePropertyName("items");
                WriteSchema(writer, array.ItemSchema, optional: false, field: null);
                break;
            case MapSchema map:
                writer.WritePropertyName("keys");
                writer.WriteRawValue("""{"type":"string","optional":false}""");
                writer.WritePropertyName("values");
                WriteSchema(writer, map.ValueSchema, optional: false, field: null);
                break;
        }

        writer.WriteBoolean("optional", optional);
        var (name, parameters) = ConnectName(schema);
        if (name is not null)
        {
            writer.WriteString("name", name);
        }

        if (parameters.Count > 0)
        {
            writer.WriteStartObject("parameters");
            foreach (var (key, value) in parameters)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        if (field is not null)
        {
            writer.WriteString("field", field);
        }

        writer.WriteEndObject();
    }

    private static string ConnectType(Schema schema) => schema.Tag switch
    {
        Schema.Type.Record => "struct",
        Schema.Type.Array => "array",
        Schema.Type.Map => "map",
        Schema.Type.Int => AvroSchemas.StringProperty(schema, "connect.type") ?? "int32",
        Schema.Type.Long => "int64",
        Schema.Type.Float => "float",
        Schema.Type.Double => "double",
        Schema.Type.Boolean => "boolean",
        Schema.Type.String or Schema.Type.Enumeration => "string",
        Schema.Type.Bytes or Schema.Type.Fixed => "bytes",
        Schema.Type.Logical => ConnectType(((LogicalSchema)schema).BaseSchema),
        _ => throw new PoisonMessageException($"the Avro type {schema.Tag} has no Kafka Connect form"),
    };

    /// <summary>The Connect logical name and parameters: from AvroConverter's properties, else from Avro's logical type.</summary>
    private static (string? Name, List<KeyValuePair<string, string>> Parameters) ConnectName(Schema schema)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        if (schema.GetProperty("connect.parameters") is { } json)
        {
            using var document = JsonDocument.Parse(json);
            foreach (var p in document.RootElement.EnumerateObject())
            {
                parameters.Add(new(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()));
            }
        }

        var name = AvroSchemas.StringProperty(schema, "connect.name");
        if (schema is LogicalSchema logical)
        {
            switch (logical.LogicalTypeName)
            {
                case "decimal":
                    name ??= DebeziumAvroSchemas.DecimalName;
                    if (!parameters.Any(p => p.Key == "scale"))
                    {
                        parameters.Add(new("scale", logical.GetProperty("scale") ?? "0"));
                    }

                    if (!parameters.Any(p => p.Key == "connect.decimal.precision") && logical.GetProperty("precision") is { } precision)
                    {
                        parameters.Add(new("connect.decimal.precision", precision));
                    }

                    break;
                case "date":
                    name ??= "org.apache.kafka.connect.data.Date";
                    break;
                case "time-millis":
                    name ??= "org.apache.kafka.connect.data.Time";
                    break;
                case "time-micros":
                    name ??= "io.debezium.time.MicroTime";
                    break;
                case "timestamp-millis":
                    name ??= "org.apache.kafka.connect.data.Timestamp";
                    break;
                case "timestamp-micros":
                    name ??= "io.debezium.time.MicroTimestamp";
                    break;
                case "uuid":
                    name ??= "io.debezium.data.Uuid";
                    break;
            }
        }

        return (name ?? (schema is RecordSchema record ? record.Fullname : null), parameters);
    }

    private static void WriteValue(Utf8JsonWriter writer, Schema schema, object? value)
    {
        schema = AvroSchemas.NonNull(schema);
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case GenericRecord record:
                writer.WriteStartObject();
                foreach (var field in record.Schema.Fields)
                {
                    writer.WritePropertyName(field.Name);
                    WriteValue(writer, field.Schema, record.GetValue(field.Pos));
                }

                writer.WriteEndObject();
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
            case float f:
                WriteFloating(writer, f, f.ToString("R", CultureInfo.InvariantCulture));
                break;
            case double d:
                WriteFloating(writer, d, d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            case AvroDecimal decimalValue:
                writer.WriteBase64StringValue(decimalValue.UnscaledValue.ToByteArray(isUnsigned: false, isBigEndian: true));
                break;
            case GenericEnum enumValue:
                writer.WriteStringValue(enumValue.Value);
                break;
            case GenericFixed fixedValue:
                writer.WriteBase64StringValue(fixedValue.Value);
                break;
            case DateTime at when schema is LogicalSchema { LogicalTypeName: "date" }:
                writer.WriteNumberValue(DateOnly.FromDateTime(at).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber);
                break;
            case DateTime at when schema is LogicalSchema { LogicalTypeName: "timestamp-millis" }:
                writer.WriteNumberValue((at.ToUniversalTime() - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond);
                break;
            case DateTime at:
                writer.WriteNumberValue((at.ToUniversalTime() - DateTime.UnixEpoch).Ticks / (TimeSpan.TicksPerMillisecond / 1000));
                break;
            case TimeSpan time when schema is LogicalSchema { LogicalTypeName: "time-millis" }:
                writer.WriteNumberValue(time.Ticks / TimeSpan.TicksPerMillisecond);
                break;
            case TimeSpan time:
                writer.WriteNumberValue(time.Ticks / (TimeSpan.TicksPerMillisecond / 1000));
                break;
            case Guid guid:
                writer.WriteStringValue(guid.ToString());
                break;
            case IDictionary map:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!);
                    WriteValue(writer, ((MapSchema)schema).ValueSchema, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items when schema is ArraySchema array:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, array.ItemSchema, item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new PoisonMessageException($"an Avro value of {value.GetType().Name} in a {schema.Tag} field has no Kafka Connect form");
        }
    }

    /// <summary>JSON has no NaN or infinities; JsonConverter writes them as strings, which the decoder reads back.</summary>
    private static void WriteFloating(Utf8JsonWriter writer, double value, string text)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
        else
        {
            writer.WriteRawValue(text, skipInputValidation: true);
        }
    }
}
