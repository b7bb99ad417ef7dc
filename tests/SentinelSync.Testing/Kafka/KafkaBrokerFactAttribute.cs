using Xunit;

namespace SentinelSync.Testing.Kafka;

/// <summary>
/// A test that needs a real Kafka broker (what librdkafka's mock does not emulate, e.g. read_committed or
/// AdminClient topic creation): it runs when <see cref="KafkaTestCluster.BrokerVariable"/> is set and is reported
/// as skipped with "skipped: no broker" otherwise.
/// </summary>
public sealed class KafkaBrokerFactAttribute : FactAttribute
{
    public KafkaBrokerFactAttribute()
    {
        if (KafkaTestCluster.RealBroker is null)
        {
            Skip = $"skipped: no broker ({KafkaTestCluster.BrokerVariable} is not set)";
        }
    }
}
