using System.Text.Json;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Decodes Debezium change-event envelopes written by Kafka Connect's JSON converter, with or without the
/// embedded <c>schema</c> block (<c>schemas.enable</c>): <c>op</c> c/r/u/d/t (and Cassandra's i), <c>before</c>,
/// <c>after</c> and <c>source</c>, which names the table (Postgres: schema and table; MySQL: db and table;
/// Cassandra: keyspace and table; Scylla: keyspace_name and table_name; otherwise the last two parts of the
/// topic). Key columns are the fields of the message key. A null value is a tombstone and carries nothing;
/// envelope fields this decoder does not know are ignored with a warning.
/// </summary>
public sealed class EnvelopeDecoder(bool scylla) : IKafkaMessageDecoder
{
    private static readonly byte[][] s_envelopeFields = [.. new[] { "before", "after", "source", "op", "ts_ms", "ts_us", "ts_ns", "transaction" }.Select(System.Text.Encoding.UTF8.GetBytes)];
    private static readonly IReadOnlyDictionary<string, ConnectSchema> s_noFields = new Dictionary<string, ConnectSchema>();

    /// <summary>The payload alone sits one level below the message's root: the depth the whole message would allow it.</summary>
    private static readonly JsonDocumentOptions s_payloadOptions = new() { MaxDepth = 63 };

    /// <summary>The table the last message named (see <see cref="TableOf"/>).</summary>
    private TableName? _lastTable;

    /// <summary>The schema blocks read so far; the partition's consumer splits values at them (<see cref="KafkaValue"/>).</summary>
    internal ConnectSchemaCache Schemas { get; } = new();

    public ValueTask<DecodedMessage> DecodeAsync(KafkaMessage message, CancellationToken cancellationToken) => ValueTask.FromResult(Decode(message));

    public DecodedMessage Decode(KafkaMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Consumed is not { Schema: not null } && message.Value is not { Length: > 0 })
        {
            return DecodedMessage.Tombstone;
        }

        using var value = (message.Consumed is { Schema: { } known, Payload: { } split } ? OpenPayload(split, known) : null) ?? Open(message.Value!, "value");
        using var key = message.Key is { Length: > 0 } ? Open(message.Key, "key") : null;
        var (payload, schema) = (value.Payload, value.Schema);
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new PoisonMessageException($"the value is JSON {payload.ValueKind}, not a change-event envelope (an object with op, before, after, source)");
        }

        if (!payload.TryGetProperty("op", out var opElement) || opElement.ValueKind != JsonValueKind.String)
        {
            throw new PoisonMessageException("the value has no 'op' field: not a Debezium change event (flattened by ExtractNewRecordState?)");
        }

        var warnings = UnknownFieldWarnings(payload);
        var source = payload.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var cassandra = source.ValueKind == JsonValueKind.Object && source.TryGetProperty("connector", out var c) && c.ValueKind == JsonValueKind.String && c.ValueEquals("cassandra");
        var style = scylla ? CellStyle.Scylla : cassandra ? CellStyle.Cassandra : CellStyle.Plain;
        var table = TableOf(source, message.Topic);
        var kind = KindOf(opElement);
        if (kind is null)
        {
            return new DecodedMessage(null, "a logical decoding message (op m), not a row change", warnings);
        }

        if (kind == ChangeKind.Truncate)
        {
            return new DecodedMessage(new DecodedChange(table, ChangeKind.Truncate, [], null), null, warnings);
        }

        var keyFields = key is null ? [] : KeyFields(key.Payload, key.Schema);
        var written = kind is ChangeKind.Insert or ChangeKind.Snapshot;
        var after = Row(payload, schema, "after", keyFields, style, written);
        var before = Row(payload, schema, "before", keyFields, style, written: false);
        if (kind == ChangeKind.Delete)
        {
            before ??= keyFields.Count > 0 ? [.. keyFields.Select(k => Field(k.Name, k.Value, k.Schema, isKey: true))] : after;
            if (before is null)
            {
                throw new PoisonMessageException("a delete with neither 'before' nor a key: the deleted row cannot be told");
            }

            return new DecodedMessage(new DecodedChange(table, ChangeKind.Delete, [], before), null, warnings);
        }

        if (after is null)
        {
            throw new PoisonMessageException($"op '{opElement.GetString()}' without an 'after' row");
        }

        return new DecodedMessage(new DecodedChange(table, kind.Value, after, before), null, warnings);
    }

    /// <summary>A warning per envelope field this decoder does not know; names compared as bytes, no string per field and message.</summary>
    private static IReadOnlyList<string> UnknownFieldWarnings(JsonElement payload)
    {
        List<string>? warnings = null;
        foreach (var property in payload.EnumerateObject())
        {
            if (!IsEnvelopeField(property))
            {
                (warnings ??= []).Add($"unknown envelope field '{property.Name}' ignored");
            }
        }

        return (IReadOnlyList<string>?)warnings ?? [];
    }

    private static bool IsEnvelopeField(JsonProperty property)
    {
        foreach (var known in s_envelopeFields)
        {
            if (property.NameEquals(known))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The message's payload and schema. When it starts with a schema block already read (every message of a table
    /// repeats the same one), only the payload is parsed; otherwise, or when the rest is not exactly the payload, the
    /// whole message is, as it always was.
    /// </summary>
    private Envelope Open(byte[] bytes, string part)
    {
        if (Schemas.TrySplit(bytes) is { } known && OpenPayload(bytes.AsMemory(known.PayloadStart, known.PayloadLength), known.Schema) is { } split)
        {
            return split;
        }

        var document = Parse(bytes, part);
        var (root, schema) = Unwrap(document.RootElement);
        return new Envelope(document, root, schema);
    }

    /// <summary>The payload of a message split at a known schema block; null when it is not one JSON value.</summary>
    private static Envelope? OpenPayload(ReadOnlyMemory<byte> payload, ConnectSchema schema)
    {
        try
        {
            var document = JsonDocument.Parse(payload, s_payloadOptions);
            return new Envelope(document, document.RootElement, schema);
        }
        catch (JsonException)
        {
            // Something follows the payload (another field), or it is not JSON: the whole message says which.
            return null;
        }
    }

    private static JsonDocument Parse(byte[] bytes, string part)
    {
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new PoisonMessageException($"the {part} is not JSON: {e.Message}", e);
        }
    }

    /// <summary>The payload and its schema when the converter embedded one (<c>{"schema": ..., "payload": ...}</c>).</summary>
    private (JsonElement Payload, ConnectSchema? Schema) Unwrap(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("payload", out var payload) && root.TryGetProperty("schema", out var schema)
            ? (payload, schema.ValueKind == JsonValueKind.Object ? Schemas.Of(schema) : null)
            : (root, null);

    /// <summary>The change kind of an <c>op</c>, compared as bytes (no string per message); null for a logical decoding message.</summary>
    private static ChangeKind? KindOf(JsonElement op) =>
        op.ValueEquals("u") ? ChangeKind.Update
        : op.ValueEquals("c") || op.ValueEquals("i") ? ChangeKind.Insert
        : op.ValueEquals("d") ? ChangeKind.Delete
        : op.ValueEquals("r") ? ChangeKind.Snapshot
        : op.ValueEquals("t") ? ChangeKind.Truncate
        : op.ValueEquals("m") ? null
        : throw new PoisonMessageException($"unknown op '{op.GetString()}'");

    /// <summary>
    /// The table <c>source</c> names, else the last two parts of the topic. A partition's messages nearly always name
    /// the table of the one before, which is compared as bytes and handed out again rather than read into new strings.
    /// </summary>
    private TableName TableOf(JsonElement source, string topic)
    {
        JsonElement? Field(string name) =>
            source.ValueKind == JsonValueKind.Object && source.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v : null;

        var name = Field("table") ?? Field("table_name");
        var schema = Field("schema") ?? Field("keyspace") ?? Field("keyspace_name") ?? Field("db");
        if (name is { } n && schema is { } s)
        {
            if (_lastTable is { } last && n.ValueEquals(last.Name) && s.ValueEquals(last.Schema))
            {
                return last;
            }

            return _lastTable = new TableName(s.GetString()!, n.GetString()!);
        }

        var parts = topic.Split('.');
        return parts.Length >= 2 ? new TableName(parts[^2], parts[^1]) : new TableName("kafka", topic);
    }

    /// <summary>
    /// The key's fields (a key has one or a few: a list, not a dictionary). A field its schema names takes the schema's
    /// own name string, as in <see cref="Row"/>; a repeated name keeps its last value, as JSON readers do.
    /// </summary>
    private static List<KeyField> KeyFields(JsonElement payload, ConnectSchema? schema)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var fields = new List<KeyField>(schema?.Fields.Count ?? 1);
        var next = 0;
        foreach (var property in payload.EnumerateObject())
        {
            var known = schema?.Fields.Count > 0 ? schema.FieldOf(property, ref next) : null;
            var field = new KeyField(known?.Name ?? property.Name, property.Value, known?.Schema);
            var at = IndexOf(fields, field.Name);
            if (at >= 0)
            {
                fields[at] = field;
            }
            else
            {
                fields.Add(field);
            }
        }

        return fields;
    }

    private static int IndexOf(List<KeyField> fields, string name)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (string.Equals(fields[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static List<FieldValue>? Row(JsonElement payload, ConnectSchema? envelopeSchema, string part, List<KeyField> keyFields, CellStyle style, bool written)
    {
        if (!payload.TryGetProperty(part, out var row) || row.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (row.ValueKind != JsonValueKind.Object)
        {
            throw new PoisonMessageException($"'{part}' is JSON {row.ValueKind}, not a row");
        }

        var rowSchema = FieldSchemas(envelopeSchema).GetValueOrDefault(part);
        var schemas = FieldSchemas(rowSchema);
        var fields = new List<FieldValue>(schemas.Count);
        var next = 0;
        foreach (var property in row.EnumerateObject())
        {
            // A field the schema names takes the schema's own name string: no string per field and message.
            var known = schemas.Count > 0 ? rowSchema!.FieldOf(property, ref next) : null;
            var name = known?.Name ?? property.Name;
            var fieldSchema = known?.Schema;
            var isKey = IndexOf(keyFields, name) >= 0;
            fields.Add(style == CellStyle.Plain || (style == CellStyle.Scylla && isKey)
                ? Field(name, property.Value, fieldSchema, isKey)
                : Cell(name, property.Value, fieldSchema, isKey, style, written));
        }

        return fields;
    }

    private static FieldValue Field(string name, JsonElement value, ConnectSchema? schema, bool isKey)
    {
        if (schema is not null)
        {
            return new FieldValue(name, schema.Observed(name, isKey), ConnectValues.Convert(value, schema));
        }

        var type = ConnectValues.Infer(value);
        return new FieldValue(name, type is null ? null : new ObservedColumn(name, type.Name, type.Oid, isKey), ConnectValues.Convert(value, schema));
    }

    /// <summary>
    /// A wrapped cell. One the operation did not write is NULL in an insert (a new row has nothing else) and
    /// unchanged in an update (the destination keeps its value).
    /// </summary>
    private static FieldValue Cell(string name, JsonElement cell, ConnectSchema? cellSchema, bool isKey, CellStyle style, bool written)
    {
        var valueSchema = FieldSchemas(cellSchema).GetValueOrDefault("value");
        var notWritten = cell.ValueKind == JsonValueKind.Null
            || (style == CellStyle.Cassandra && cell.ValueKind == JsonValueKind.Object && cell.TryGetProperty("set", out var set) && set.ValueKind == JsonValueKind.False);
        if (notWritten)
        {
            var type = valueSchema?.Type;
            return new FieldValue(name, type is null ? null : new ObservedColumn(name, type.Name, type.Oid, isKey), written ? ColumnValue.Null : ColumnValue.Unchanged);
        }

        if (cell.ValueKind != JsonValueKind.Object || !cell.TryGetProperty("value", out var inner))
        {
            throw new PoisonMessageException($"column '{name}' is not a cell ({{\"value\": ...}}) as the {style} format writes non-key columns");
        }

        return Field(name, inner, valueSchema, isKey);
    }

    /// <summary>The fields of a struct schema by name (empty without a schema).</summary>
    private static IReadOnlyDictionary<string, ConnectSchema> FieldSchemas(ConnectSchema? structSchema) => structSchema?.Fields ?? s_noFields;

    private readonly record struct KeyField(string Name, JsonElement Value, ConnectSchema? Schema);

    /// <summary>A parsed message (or its payload alone) with the payload and the schema block read from it.</summary>
    private sealed class Envelope(JsonDocument document, JsonElement payload, ConnectSchema? schema) : IDisposable
    {
        public JsonElement Payload { get; } = payload;

        public ConnectSchema? Schema { get; } = schema;

        public void Dispose() => document.Dispose();
    }
}
