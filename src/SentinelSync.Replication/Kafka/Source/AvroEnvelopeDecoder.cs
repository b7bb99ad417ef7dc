using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using SentinelSync.Replication.Kafka.Avro;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Decodes Debezium envelopes written by Confluent's AvroConverter (<c>format: debezium-avro</c>): key and value in the
/// Schema Registry's wire format (magic byte 0, 4-byte schema id, Avro binary), read with Confluent's
/// <see cref="AvroDeserializer{T}"/> into <see cref="GenericRecord"/>s under the writer's schema fetched by id, then
/// given to <see cref="EnvelopeDecoder"/> as the JSON converter would have written them with schemas
/// (<see cref="AvroConnectJson"/>). So Avro events follow exactly the JSON path: the unavailable-value placeholder
/// keeps the destination's value, deletes, tombstones (null values, never deserialized) and new fields alike.
/// A message that is not registry-framed Avro is poison; a registry that does not answer is not (read again later).
/// </summary>
public sealed class AvroEnvelopeDecoder : IKafkaMessageDecoder, IDisposable
{
    private readonly ISchemaRegistryClient _registry;
    private readonly bool _ownsClient;
    private readonly AvroDeserializer<GenericRecord> _deserializer;
    private readonly EnvelopeDecoder _envelopes = new(scylla: false);

    public AvroEnvelopeDecoder(ISchemaRegistryClient registry, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _ownsClient = ownsClient;
        _deserializer = new AvroDeserializer<GenericRecord>(registry, new AvroDeserializerConfig { SubjectNameStrategy = SubjectNameStrategy.Topic });
    }

    public async ValueTask<DecodedMessage> DecodeAsync(KafkaMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Value is null || message.Value.Length == 0)
        {
            return DecodedMessage.Tombstone;
        }

        var value = await ReadAsync(message, message.Value, MessageComponentType.Value).ConfigureAwait(false);
        var key = message.Key is { Length: > 0 } k ? await ReadAsync(message, k, MessageComponentType.Key).ConfigureAwait(false) : null;
        return _envelopes.Decode(message with { Key = key is null ? null : AvroConnectJson.Of(key), Value = AvroConnectJson.Of(value) });
    }

    private async Task<GenericRecord> ReadAsync(KafkaMessage message, byte[] bytes, MessageComponentType part)
    {
        var name = part == MessageComponentType.Key ? "key" : "value";
        if (bytes.Length < 5 || bytes[0] != 0)
        {
            throw new PoisonMessageException($"the {name} is not in the Schema Registry's wire format (magic byte 0 and a 4-byte schema id, then Avro); is the topic written with AvroConverter?");
        }

        try
        {
            return await _deserializer.DeserializeAsync(bytes, isNull: false, new SerializationContext(part, message.Topic)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is global::Avro.AvroException or InvalidDataException or EndOfStreamException or InvalidCastException)
        {
            var id = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4));
            throw new PoisonMessageException($"the {name} does not decode as Avro under registry schema id {id}: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _registry.Dispose();
        }
    }
}
