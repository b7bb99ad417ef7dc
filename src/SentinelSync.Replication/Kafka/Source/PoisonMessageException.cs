namespace SentinelSync.Replication.Kafka.Source;

/// <summary>A message that cannot be decoded in the configured format: it goes to the dead-letter queue with its topic, partition and offset.</summary>
public sealed class PoisonMessageException(string message, Exception? inner = null) : Exception(message, inner);
