using Avro;

namespace SentinelSync.Replication.Kafka.Avro;

/// <summary>Small helpers over Apache.Avro schemas.</summary>
internal static class AvroSchemas
{
    /// <summary>The type of an optional field (the non-null branch of <c>["null", T]</c> or <c>[T, "null"]</c>), or the schema itself.</summary>
    public static Schema NonNull(Schema schema) =>
        schema is UnionSchema union && union.Schemas.Count == 2 && union.Schemas.Any(s => s.Tag == Schema.Type.Null)
            ? union.Schemas.First(s => s.Tag != Schema.Type.Null)
            : schema;

    /// <summary>A custom property's value without its JSON quotes (Apache.Avro keeps them as JSON text), or null.</summary>
    public static string? StringProperty(Schema schema, string name) =>
        schema.GetProperty(name) is { } json && json.Length >= 2 && json[0] == '"' ? System.Text.Json.JsonSerializer.Deserialize<string>(json) : null;
}
