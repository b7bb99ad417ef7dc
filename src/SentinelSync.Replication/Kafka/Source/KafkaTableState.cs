namespace SentinelSync.Replication.Kafka.Source;

/// <summary>What a Kafka table grain keeps: the table's schema so far (null before its first message).</summary>
public sealed class KafkaTableState
{
    public TableSchema? Schema { get; set; }
}
