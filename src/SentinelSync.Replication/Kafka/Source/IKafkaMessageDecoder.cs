namespace SentinelSync.Replication.Kafka.Source;

/// <summary>Turns one Kafka record into a change of one table; throws <see cref="PoisonMessageException"/> for one it cannot read.</summary>
public interface IKafkaMessageDecoder
{
    DecodedMessage Decode(KafkaMessage message);
}
