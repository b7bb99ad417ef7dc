using SentinelSync.Replication.Kafka.Debezium;
using Confluent.Kafka;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// A record's value as the partition's consumer took it out of librdkafka's buffer. A JSON envelope written with a
/// schema block (<c>{"schema":S,"payload":P}</c>) repeats S, most of its bytes, in every message of a table; when S is
/// one the decoder has read, only P is copied, and the whole value is put back together only if something asks for
/// it (a dead letter). Every other value is copied whole. Allocating and filling a 2.5 KB array per message, to parse
/// its 400-byte payload, was about 6 % of the via-Kafka benchmark silo's CPU (perf, 2026-12-01).
/// </summary>
internal sealed class KafkaValue
{
    private byte[]? _whole;

    private KafkaValue(byte[]? whole, ConnectSchema? schema, byte[]? schemaBlock, byte[]? payload) =>
        (_whole, Schema, SchemaBlock, Payload) = (whole, schema, schemaBlock, payload);

    /// <summary>The schema block's schema when the value was split at it; null for a value kept whole.</summary>
    public ConnectSchema? Schema { get; }

    /// <summary>The payload's bytes (P) when split; null for a value kept whole.</summary>
    public byte[]? Payload { get; }

    private byte[]? SchemaBlock { get; }

    public static KafkaValue Whole(byte[] bytes) => new(bytes, null, null, null);

    /// <summary>The value's bytes exactly as the record carried them.</summary>
    public byte[] Bytes() => _whole ??= [.. DebeziumEnvelope.SchemaOpening, .. SchemaBlock!, .. DebeziumEnvelope.PayloadOpening, .. Payload!, (byte)'}'];

    /// <summary>
    /// Splits values at a schema block <paramref name="schemas"/> knows (null: keeps every value whole). Runs on the
    /// partition's fetcher thread, inside <c>Consume</c>, while the bytes are still librdkafka's.
    /// </summary>
    public sealed class Deserializer(ConnectSchemaCache? schemas) : IDeserializer<KafkaValue?>
    {
        public KafkaValue? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            if (isNull)
            {
                return null;
            }

            return schemas?.TrySplit(data) is { } known
                ? new KafkaValue(null, known.Schema, known.Raw, data.Slice(known.PayloadStart, known.PayloadLength).ToArray())
                : Whole(data.ToArray());
        }
    }
}
