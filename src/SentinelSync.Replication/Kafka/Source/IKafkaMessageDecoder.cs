namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Turns one Kafka record into a change of one table; throws <see cref="PoisonMessageException"/> for one it cannot
/// read. Other exceptions (a schema registry that does not answer) are transient: the record is read again later.
/// </summary>
public interface IKafkaMessageDecoder
{
    ValueTask<DecodedMessage> DecodeAsync(KafkaMessage message, CancellationToken cancellationToken);
}
