using Confluent.Kafka;
using SentinelSync.Replication;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Demo;

/// <summary>
/// The demo's Kafka leg (<c>sentinel demo --kafka</c>): librdkafka's mock cluster in the demo process, a Kafka sink
/// sending the shop's changes to it as Debezium events, and a count of the order events that arrived.
/// </summary>
internal sealed class DemoKafka : IDisposable
{
    public const string TopicPrefix = "demo";
    private static readonly TableName s_orders = new("public", "orders");
    private readonly MockKafkaCluster _cluster;
    private readonly IConsumer<Ignore, Ignore> _counter;

    public DemoKafka()
    {
        _cluster = MockKafkaCluster.Start(brokers: 3);
        _counter = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = "demo-counter" }).Build();
        Sink = new SinkConfig
        {
            Name = "events",
            Kafka = new KafkaSinkOptions { BootstrapServers = _cluster.BootstrapServers, TopicPrefix = TopicPrefix, PartitionsPerTopic = 3 },
        };
    }

    public SinkConfig Sink { get; }

    public string BootstrapServers => _cluster.BootstrapServers;

    public string OrdersTopic => Sink.Kafka!.TopicOf(s_orders);

    /// <summary>Messages in the orders topic so far (the partitions' high watermarks), or null before the topic exists.</summary>
    public long? CountOrderEvents()
    {
        try
        {
            // The mock creates the topic with 4 partitions when the sink first asks for it.
            long total = 0;
            for (var partition = 0; partition < 4; partition++)
            {
                total += _counter.QueryWatermarkOffsets(new TopicPartition(OrdersTopic, partition), TimeSpan.FromSeconds(1)).High.Value;
            }

            return total;
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _counter.Dispose();
        _cluster.Dispose();
    }
}
