namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// One serialized Kafka message of a change: no value is a tombstone; <see cref="AllPartitions"/> for a truncate, which
/// concerns every key. <see cref="Key"/> and <see cref="Value"/> put a message's parts together (a new array each
/// time); the Kafka sink reads <see cref="KeyBytes"/> and <see cref="ValueBytes"/>.
/// </summary>
public readonly record struct DebeziumEvent(MessageBytes? KeyBytes, MessageBytes? ValueBytes, bool AllPartitions = false)
{
    public DebeziumEvent(byte[]? key, byte[]? value, bool allPartitions = false)
        : this(key is null ? null : new MessageBytes(key), value is null ? null : new MessageBytes(value), allPartitions)
    {
    }

    public byte[]? Key => KeyBytes?.ToArray();

    public byte[]? Value => ValueBytes?.ToArray();
}
