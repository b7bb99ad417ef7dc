using System.Text.Json;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// What converting a value needs from its field schema: the logical name, the type (null when the schema has no
/// string type: the conversion then fails as it would reading the schema itself) and a Decimal's scale parameter.
/// </summary>
internal sealed record FieldFacts(string? LogicalName, string? Type, string? Scale)
{
    public static FieldFacts Of(JsonElement schema) => new(
        ConnectValues.LogicalName(schema),
        schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null,
        ConnectValues.Parameter(schema, "scale"));
}
