namespace SentinelSync.Replication.Kafka;

/// <summary>A value the Kafka sink cannot put into its event format; permanent for that change (it goes to the dead-letter queue).</summary>
public sealed class KafkaValueException(string message) : InvalidOperationException(message);
