using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SentinelSync.Replication.Kafka.Debezium;

namespace SentinelSync.Replication.Kafka.Avro;

/// <summary>
/// The Avro schemas of Debezium's Postgres events as Confluent's AvroConverter derives them from the Connect schemas
/// (<see cref="DebeziumConnectSchemas"/>): structs become records named by the Connect name
/// (<c>&lt;name&gt;.Key</c>, <c>&lt;name&gt;.Envelope</c>, <c>&lt;name&gt;.Value</c>, <c>io.debezium.connector.postgresql.Source</c>),
/// optional fields the union <c>["null", T]</c> with default null, <c>int16</c> an <c>int</c> with <c>connect.type</c>,
/// logical types <c>connect.name</c>/<c>connect.version</c>/<c>connect.parameters</c>, and Connect Decimal Avro's
/// <c>decimal</c> logical type with its precision and scale. Names are adjusted to Avro's rules (<see cref="AvroNames"/>).
/// </summary>
internal static class DebeziumAvroSchemas
{
    public const string SourceName = "io.debezium.connector.postgresql.Source";
    public const string VariableScaleDecimalName = "io.debezium.data.VariableScaleDecimal";
    public const string DecimalName = "org.apache.kafka.connect.data.Decimal";

    /// <summary>Connect's default Decimal precision in AvroData when the schema gives none.</summary>
    private const int DefaultDecimalPrecision = 64;

    /// <summary>The key record: the primary-key columns, all required.</summary>
    public static string Key(string name, TableSchema schema, DebeziumColumnType[] types, string[] fieldNames) => Write(writer =>
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        Record(writer, $"{name}.Key", defined, () =>
        {
            foreach (var i in schema.KeyIndexes)
            {
                Column(writer, fieldNames[i], types[i], optional: false, defined);
            }
        });
    });

    /// <summary>The envelope record: before/after (the row, optional), source, op, ts_ms and transaction.</summary>
    public static string Envelope(string name, TableSchema schema, DebeziumColumnType[] types, string[] fieldNames) => Write(writer =>
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        Record(writer, $"{name}.Envelope", defined, () =>
        {
            foreach (var part in new[] { DebeziumEnvelope.Before, DebeziumEnvelope.After })
            {
                OptionalField(writer, part, () => Record(writer, $"{name}.Value", defined, () =>
                {
                    for (var i = 0; i < schema.Columns.Count; i++)
                    {
                        Column(writer, fieldNames[i], types[i], optional: !schema.Columns[i].IsKey, defined);
                    }
                }));
            }

            RequiredField(writer, DebeziumEnvelope.Source, () => Record(writer, SourceName, defined, () =>
            {
                RequiredField(writer, "version", () => writer.WriteStringValue("string"));
                RequiredField(writer, "connector", () => writer.WriteStringValue("string"));
                RequiredField(writer, "name", () => writer.WriteStringValue("string"));
                RequiredField(writer, "ts_ms", () => writer.WriteStringValue("long"));
                SnapshotField(writer);
                RequiredField(writer, "db", () => writer.WriteStringValue("string"));
                OptionalField(writer, "sequence", () => writer.WriteStringValue("string"));
                RequiredField(writer, "schema", () => writer.WriteStringValue("string"));
                RequiredField(writer, "table", () => writer.WriteStringValue("string"));
                OptionalField(writer, "txId", () => writer.WriteStringValue("long"));
                OptionalField(writer, "lsn", () => writer.WriteStringValue("long"));
                OptionalField(writer, "xmin", () => writer.WriteStringValue("long"));
            }));
            RequiredField(writer, DebeziumEnvelope.Op, () => writer.WriteStringValue("string"));
            OptionalField(writer, DebeziumEnvelope.TsMs, () => writer.WriteStringValue("long"));
            OptionalField(writer, "transaction", () => Record(writer, "event.block", defined, () =>
            {
                RequiredField(writer, "id", () => writer.WriteStringValue("string"));
                RequiredField(writer, "total_order", () => writer.WriteStringValue("long"));
                RequiredField(writer, "data_collection_order", () => writer.WriteStringValue("long"));
            }));
        });
    });

    private static void Column(Utf8JsonWriter writer, string field, DebeziumColumnType type, bool optional, HashSet<string> defined)
    {
        void WriteType() => ColumnType(writer, type, defined);
        if (optional)
        {
            OptionalField(writer, field, WriteType);
        }
        else
        {
            RequiredField(writer, field, WriteType);
        }
    }

    private static void ColumnType(Utf8JsonWriter writer, DebeziumColumnType type, HashSet<string> defined)
    {
        if (type.Kind == DebeziumValueKind.VariableDecimal)
        {
            Record(writer, VariableScaleDecimalName, defined, () =>
            {
                RequiredField(writer, "scale", () => writer.WriteStringValue("int"));
                RequiredField(writer, "value", () => writer.WriteStringValue("bytes"));
            }, connectVersion: true);
            return;
        }

        var avroType = type.Type switch
        {
            "int8" or "int16" or "int32" => "int",
            "int64" => "long",
            _ => type.Type,
        };
        if (type.Name is null && type.Type is not ("int8" or "int16"))
        {
            writer.WriteStringValue(avroType);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("type", avroType);
        if (type.Type is "int8" or "int16")
        {
            writer.WriteString("connect.type", type.Type);
        }

        if (type.Name == DecimalName)
        {
            var scale = Parameter(type, "scale") ?? "0";
            writer.WriteNumber("scale", int.Parse(scale, CultureInfo.InvariantCulture));
            writer.WriteNumber("precision", Parameter(type, "connect.decimal.precision") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : DefaultDecimalPrecision);
        }

        if (type.Name is not null)
        {
            writer.WriteNumber("connect.version", 1);
            if (type.Parameters is { Count: > 0 })
            {
                writer.WriteStartObject("connect.parameters");
                foreach (var (key, value) in type.Parameters)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteString("connect.name", type.Name);
        }

        if (type.Name == DecimalName)
        {
            writer.WriteString("logicalType", "decimal");
        }

        writer.WriteEndObject();
    }

    /// <summary>source.snapshot: an optional Enum string whose default is "false", so AvroData puts the string first.</summary>
    private static void SnapshotField(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("name", "snapshot");
        writer.WriteStartArray("type");
        writer.WriteStartObject();
        writer.WriteString("type", "string");
        writer.WriteNumber("connect.version", 1);
        writer.WriteStartObject("connect.parameters");
        writer.WriteString("allowed", "true,last,false,incremental");
        writer.WriteEndObject();
        writer.WriteString("connect.default", "false");
        writer.WriteString("connect.name", "io.debezium.data.Enum");
        writer.WriteEndObject();
        writer.WriteStringValue("null");
        writer.WriteEndArray();
        writer.WriteString("default", "false");
        writer.WriteEndObject();
    }

    /// <summary>
    /// A record, or a reference to it by full name when this schema already defined it (Avro allows one definition per
    /// name: <c>after</c> refers to the <c>Value</c> record <c>before</c> defined).
    /// </summary>
    private static void Record(Utf8JsonWriter writer, string connectName, HashSet<string> defined, Action fields, bool connectVersion = false)
    {
        var fullName = AvroNames.AdjustFull(connectName);
        if (!defined.Add(fullName))
        {
            writer.WriteStringValue(fullName);
            return;
        }

        var dot = fullName.LastIndexOf('.');
        writer.WriteStartObject();
        writer.WriteString("type", "record");
        writer.WriteString("name", dot < 0 ? fullName : fullName[(dot + 1)..]);
        if (dot >= 0)
        {
            writer.WriteString("namespace", fullName[..dot]);
        }

        writer.WriteStartArray("fields");
        fields();
        writer.WriteEndArray();
        if (connectVersion)
        {
            writer.WriteNumber("connect.version", 1);
        }

        // Debezium adjusts the Connect name itself before AvroConverter sees it, so connect.name is the adjusted one.
        writer.WriteString("connect.name", fullName);
        writer.WriteEndObject();
    }

    private static void RequiredField(Utf8JsonWriter writer, string name, Action type)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WritePropertyName("type");
        type();
        writer.WriteEndObject();
    }

    /// <summary>An optional Connect field: the union ["null", T] with default null (BACKWARD compatible when added later).</summary>
    private static void OptionalField(Utf8JsonWriter writer, string name, Action type)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteStartArray("type");
        writer.WriteStringValue("null");
        type();
        writer.WriteEndArray();
        writer.WriteNull("default");
        writer.WriteEndObject();
    }

    private static string? Parameter(DebeziumColumnType type, string key) =>
        type.Parameters?.FirstOrDefault(p => p.Key == key).Value;

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
