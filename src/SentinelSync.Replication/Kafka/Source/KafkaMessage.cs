namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// One Kafka record as the decoders see it: where it sits (topic, partition, offset) and its raw key and value
/// (null for a missing key and for a tombstone's value).
/// </summary>
public sealed record KafkaMessage(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value)
{
    /// <summary><c>topic/partition@offset</c>, the way logs and dead letters name a record.</summary>
    public override string ToString() => $"{Topic}/{Partition}@{Offset}";
}
