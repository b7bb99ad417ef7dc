namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// One Kafka record as the decoders see it: where it sits (topic, partition, offset) and its raw key and value
/// (null for a missing key and for a tombstone's value).
/// </summary>
public sealed record KafkaMessage(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value)
{
    private readonly byte[]? _value = Value;

    /// <summary>The value's bytes; for a value consumed split at its schema block, put back together on first use.</summary>
    public byte[]? Value
    {
        get => _value ?? Consumed?.Bytes();
        init => _value = value;
    }

    /// <summary>The value as the partition's consumer read it (null when the message was made from bytes).</summary>
    internal KafkaValue? Consumed { get; private init; }

    internal static KafkaMessage Of(string topic, int partition, long offset, byte[]? key, KafkaValue? value) =>
        new(topic, partition, offset, key, (byte[]?)null) { Consumed = value };

    /// <summary><c>topic/partition@offset</c>, the way logs and dead letters name a record.</summary>
    public override string ToString() => $"{Topic}/{Partition}@{Offset}";
}
