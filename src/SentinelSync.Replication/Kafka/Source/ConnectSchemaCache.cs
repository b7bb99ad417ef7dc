using SentinelSync.Replication.Kafka.Debezium;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// The Connect schema blocks a decoder has seen, each read once. The JSON converter repeats the whole schema of a
/// table in every message, so looking up its fields' schemas and Postgres types again for every message was most of
/// a decoder's work. Entries are keyed by the schema's exact bytes, so a changed schema is a new entry; the cache is
/// emptied when it holds <see cref="MaxEntries"/> (a topic whose every message carries another schema gains nothing
/// from it, but costs no more than before). One per decoder; thread-safe.
/// </summary>
internal sealed class ConnectSchemaCache
{
    internal const int MaxEntries = 256;

    /// <summary>Schemas tried by <see cref="TrySplit"/>, the most recently read last: a partition carries a table or a few.</summary>
    internal const int RecentEntries = 8;

    private readonly Lock _gate = new();

    private readonly Dictionary<int, List<(byte[] Raw, ConnectSchema Schema)>> _entries = [];
    private readonly List<(byte[] Raw, ConnectSchema Schema)> _recent = [];
    private int _count;

    /// <summary>
    /// For a message written as <c>{"schema":S,"payload":P}</c> without spaces (as Kafka Connect's JsonConverter
    /// and the Kafka sink write it) whose S is, byte for byte, a schema read recently: that schema and where P
    /// lies, so that only P needs parsing (S is most of the message). Null otherwise. Whether P is one JSON value,
    /// i.e. whether the message is exactly that object, is for the caller to check by parsing it.
    /// </summary>
    public (ConnectSchema Schema, byte[] Raw, int PayloadStart, int PayloadLength)? TrySplit(ReadOnlySpan<byte> message)
    {
        if (!message.StartsWith(DebeziumEnvelope.SchemaOpening) || message[^1] != (byte)'}')
        {
            return null;
        }

        var rest = message[DebeziumEnvelope.SchemaOpening.Length..];
        lock (_gate)
        {
            for (var i = _recent.Count - 1; i >= 0; i--)
            {
                var (raw, schema) = _recent[i];
                if (rest.StartsWith(raw) && rest[raw.Length..].StartsWith(DebeziumEnvelope.PayloadOpening))
                {
                    var start = DebeziumEnvelope.SchemaOpening.Length + raw.Length + DebeziumEnvelope.PayloadOpening.Length;
                    return (schema, raw, start, message.Length - 1 - start);
                }
            }
        }

        return null;
    }

    /// <summary>The schema <paramref name="element"/> holds, read once per distinct schema.</summary>
    public ConnectSchema Of(JsonElement element)
    {
        lock (_gate)
        {
            return Find(element);
        }
    }

    private ConnectSchema Find(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var hash = new HashCode();
        hash.AddBytes(raw);
        var key = hash.ToHashCode();
        if (_entries.TryGetValue(key, out var same))
        {
            foreach (var entry in same)
            {
                if (raw.SequenceEqual(entry.Raw))
                {
                    Remember(entry);
                    return entry.Schema;
                }
            }
        }
        else
        {
            if (_count >= MaxEntries)
            {
                _entries.Clear();
                _recent.Clear();
                _count = 0;
            }

            _entries[key] = same = [];
        }

        // Cloned: the message's document is disposed after decoding, the cached schema outlives it.
        var read = (raw.ToArray(), new ConnectSchema(element.Clone()));
        same.Add(read);
        _count++;
        Remember(read);
        return read.Item2;
    }

    private void Remember((byte[] Raw, ConnectSchema Schema) entry)
    {
        if (_recent.Exists(r => ReferenceEquals(r.Raw, entry.Raw)))
        {
            return;
        }

        if (_recent.Count == RecentEntries)
        {
            _recent.RemoveAt(0);
        }

        _recent.Add(entry);
    }
}

/// <summary>A Connect schema (a field's or a struct's) with its fields and Postgres type worked out on first use.</summary>
internal sealed class ConnectSchema(JsonElement element)
{
    private Dictionary<string, ConnectSchema>? _fields;
    private ConnectField[]? _fieldList;
    private ObservedType? _type;
    private FieldFacts? _facts;
    private ObservedColumn? _observed;

    public JsonElement Element { get; } = element;

    /// <summary>The Postgres type (<see cref="ConnectValues.TypeOf"/>); an unknown type throws each time it is asked for, as before caching.</summary>
    public ObservedType Type => _type ??= ConnectValues.TypeOf(Element);

    /// <summary>What converting a value of this field needs (<see cref="ConnectValues.Convert(JsonElement, ConnectSchema?)"/>).</summary>
    public FieldFacts Facts => _facts ??= FieldFacts.Of(Element);

    /// <summary>A struct's fields by name (empty for anything else).</summary>
    public IReadOnlyDictionary<string, ConnectSchema> Fields => _fields ??= ReadFields(Element);

    /// <summary>
    /// The field of this struct that <paramref name="property"/> (of a value of this struct) names, or null: matched
    /// by its UTF-8 bytes, trying the field after the one matched last first (values list their fields in the
    /// schema's order), so that a row's field names need no string of their own each message.
    /// </summary>
    public ConnectField? FieldOf(JsonProperty property, ref int next)
    {
        var fields = _fieldList ??= [.. Fields.Select(f => new ConnectField(f.Key, System.Text.Encoding.UTF8.GetBytes(f.Key), f.Value))];
        for (var tried = 0; tried < fields.Length; tried++)
        {
            var i = (next + tried) % fields.Length;
            if (property.NameEquals(fields[i].Utf8Name))
            {
                next = i + 1;
                return fields[i];
            }
        }

        return null;
    }

    /// <summary>
    /// The column this field schema shows as <paramref name="name"/>, made once (the same instance for every message
    /// with this schema, which lets a reader tell a column it already placed by reference).
    /// </summary>
    public ObservedColumn Observed(string name, bool isKey)
    {
        var observed = _observed;
        if (observed is null || observed.IsKey != isKey || observed.Name != name)
        {
            _observed = observed = new ObservedColumn(name, Type.Name, Type.Oid, isKey);
        }

        return observed;
    }

    private static Dictionary<string, ConnectSchema> ReadFields(JsonElement schema)
    {
        var fields = new Dictionary<string, ConnectSchema>(StringComparer.Ordinal);
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("fields", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var field in list.EnumerateArray())
            {
                if (field.TryGetProperty("field", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    fields[name.GetString()!] = new ConnectSchema(field);
                }
            }
        }

        return fields;
    }
}

/// <summary>A struct field's name (as a string and as UTF-8 bytes) and schema.</summary>
internal sealed record ConnectField(string Name, byte[] Utf8Name, ConnectSchema Schema);
