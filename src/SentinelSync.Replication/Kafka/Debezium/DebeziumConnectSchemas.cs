using System.Buffers;
using System.Text.Json;

namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// The Kafka Connect schema blocks of Debezium's Postgres events (what JsonConverter writes under <c>"schema"</c>):
/// <c>&lt;name&gt;.Key</c>, and <c>&lt;name&gt;.Envelope</c> with <c>before</c>/<c>after</c> (<c>&lt;name&gt;.Value</c>),
/// <c>source</c> (<c>io.debezium.connector.postgresql.Source</c>), <c>op</c>, <c>ts_ms</c> and <c>transaction</c>.
/// Key columns are required; the others optional (nullability is not carried by pgoutput).
/// </summary>
internal static class DebeziumConnectSchemas
{
    public static byte[] Key(string name, TableSchema schema, DebeziumColumnType[] types) => Write(writer =>
    {
        var keys = schema.KeyIndexes.ToList();
        WriteStruct(writer, $"{name}.Key", field: null, optional: false, () =>
        {
            foreach (var i in keys)
            {
                WriteColumn(writer, schema.Columns[i], types[i]);
            }
        });
    });

    public static byte[] Envelope(string name, TableSchema schema, DebeziumColumnType[] types) => Write(writer =>
    {
        WriteStruct(writer, $"{name}.Envelope", field: null, optional: false, () =>
        {
            WriteStruct(writer, $"{name}.Value", DebeziumEnvelope.Before, optional: true, () => WriteColumns(writer, schema, types));
            WriteStruct(writer, $"{name}.Value", DebeziumEnvelope.After, optional: true, () => WriteColumns(writer, schema, types));
            WriteStruct(writer, "io.debezium.connector.postgresql.Source", DebeziumEnvelope.Source, optional: false, () =>
            {
                Field(writer, "string", "version", optional: false);
                Field(writer, "string", "connector", optional: false);
                Field(writer, "string", "name", optional: false);
                Field(writer, "int64", "ts_ms", optional: false);
                Field(writer, "string", "snapshot", optional: true, "io.debezium.data.Enum", [new("allowed", "true,last,false,incremental")], defaultValue: "false");
                Field(writer, "string", "db", optional: false);
                Field(writer, "string", "sequence", optional: true);
                Field(writer, "string", "schema", optional: false);
                Field(writer, "string", "table", optional: false);
                Field(writer, "int64", "txId", optional: true);
                Field(writer, "int64", "lsn", optional: true);
                Field(writer, "int64", "xmin", optional: true);
            });
            Field(writer, "string", DebeziumEnvelope.Op, optional: false);
            Field(writer, "int64", DebeziumEnvelope.TsMs, optional: true);
            WriteStruct(writer, "event.block", "transaction", optional: true, () =>
            {
                Field(writer, "string", "id", optional: false);
                Field(writer, "int64", "total_order", optional: false);
                Field(writer, "int64", "data_collection_order", optional: false);
            });
        });
    });

    private static void WriteColumns(Utf8JsonWriter writer, TableSchema schema, DebeziumColumnType[] types)
    {
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            WriteColumn(writer, schema.Columns[i], types[i]);
        }
    }

    private static void WriteColumn(Utf8JsonWriter writer, ColumnSchema column, DebeziumColumnType type)
    {
        if (type.Kind == DebeziumValueKind.VariableDecimal)
        {
            WriteStruct(writer, type.Name!, column.Name, optional: !column.IsKey, () =>
            {
                Field(writer, "int32", "scale", optional: false);
                Field(writer, "bytes", "value", optional: false);
            });
            return;
        }

        Field(writer, type.Type, column.Name, optional: !column.IsKey, type.Name, type.Parameters);
    }

    private static void Field(
        Utf8JsonWriter writer,
        string type,
        string field,
        bool optional,
        string? name = null,
        IReadOnlyList<KeyValuePair<string, string>>? parameters = null,
        string? defaultValue = null)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        writer.WriteBoolean("optional", optional);
        if (name is not null)
        {
            writer.WriteString("name", name);
            writer.WriteNumber("version", 1);
        }

        if (parameters is { Count: > 0 })
        {
            writer.WriteStartObject("parameters");
            foreach (var (key, value) in parameters)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        if (defaultValue is not null)
        {
            writer.WriteString("default", defaultValue);
        }

        writer.WriteString("field", field);
        writer.WriteEndObject();
    }

    private static void WriteStruct(Utf8JsonWriter writer, string name, string? field, bool optional, Action fields)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "struct");
        writer.WriteStartArray("fields");
        fields();
        writer.WriteEndArray();
        writer.WriteBoolean("optional", optional);
        writer.WriteString("name", name);
        if (field is not null)
        {
            writer.WriteString("field", field);
        }

        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
