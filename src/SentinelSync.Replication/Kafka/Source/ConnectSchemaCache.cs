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

    private readonly Lock _gate = new();

    private readonly Dictionary<int, List<(byte[] Raw, ConnectSchema Schema)>> _entries = [];
    private int _count;

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
            foreach (var (bytes, schema) in same)
            {
                if (raw.SequenceEqual(bytes))
                {
                    return schema;
                }
            }
        }
        else
        {
            if (_count >= MaxEntries)
            {
                _entries.Clear();
                _count = 0;
            }

            _entries[key] = same = [];
        }

        // Cloned: the message's document is disposed after decoding, the cached schema outlives it.
        var read = new ConnectSchema(element.Clone());
        same.Add((raw.ToArray(), read));
        _count++;
        return read;
    }
}

/// <summary>A Connect schema (a field's or a struct's) with its fields and Postgres type worked out on first use.</summary>
internal sealed class ConnectSchema(JsonElement element)
{
    private Dictionary<string, ConnectSchema>? _fields;
    private ObservedType? _type;

    public JsonElement Element { get; } = element;

    /// <summary>The Postgres type (<see cref="ConnectValues.TypeOf"/>); an unknown type throws each time it is asked for, as before caching.</summary>
    public ObservedType Type => _type ??= ConnectValues.TypeOf(Element);

    /// <summary>A struct's fields by name (empty for anything else).</summary>
    public IReadOnlyDictionary<string, ConnectSchema> Fields => _fields ??= ReadFields(Element);

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
