using System.Text;
using System.Text.Json;

namespace SentinelSync.Testing.Kafka;

/// <summary>
/// A file of Kafka records in a connector's format (<c>Kafka/Fixtures/*.json</c>, written from the connector's
/// documentation): the topic they belong to and each record's key and value as the JSON converter writes them
/// (null for a missing key or a tombstone).
/// </summary>
public sealed record KafkaFixture(string Name, string Topic, string Description, IReadOnlyList<(byte[]? Key, byte[]? Value)> Records)
{
    public static KafkaFixture Load(string name)
    {
        var resource = $"KafkaFixtures/{name}.json";
        using var stream = typeof(KafkaFixture).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"No Kafka fixture '{name}' (embedded resource {resource}).");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var records = root.GetProperty("records").EnumerateArray()
            .Select(r => (Bytes(r.GetProperty("key")), Bytes(r.GetProperty("value"))))
            .ToList();
        return new KafkaFixture(name, root.GetProperty("topic").GetString()!, root.GetProperty("description").GetString()!, records);
    }

    private static byte[]? Bytes(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : Encoding.UTF8.GetBytes(element.GetRawText());
}
