namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// One serialized Kafka message of a change: <see cref="Value"/> null is a tombstone; <see cref="AllPartitions"/> for a
/// truncate, which concerns every key.
/// </summary>
public readonly record struct DebeziumEvent(byte[]? Key, byte[]? Value, bool AllPartitions = false);
