using Confluent.Kafka;
using SentinelSync.Replication;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Kafka.Source;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Demo;

/// <summary>
/// The demo's Kafka loop (<c>sentinel demo --kafka</c>): librdkafka's mock cluster in the demo process, a Kafka sink
/// sending the shop's changes to it as Debezium events, a second pipeline reading those topics back into a warehouse
/// of its own (the Kafka source), and a count of the order events that arrived.
/// </summary>
internal sealed class DemoKafka : IDisposable
{
    public const string TopicPrefix = "demo";
    public const string PipelineName = "shop_via_kafka";
    private const int Partitions = 3;
    private static readonly TableName s_orders = new("public", "orders");
    private readonly MockKafkaCluster _cluster;
    private readonly IConsumer<Ignore, Ignore> _counter;

    public DemoKafka()
    {
        _cluster = MockKafkaCluster.Start(brokers: 3);
        Sink = new SinkConfig
        {
            Name = "events",
            Kafka = new KafkaSinkOptions { BootstrapServers = _cluster.BootstrapServers, TopicPrefix = TopicPrefix, PartitionsPerTopic = Partitions },
        };

        // The mock does not implement CreateTopics: create the shop's topics through its own API, so the partitions are known.
        foreach (var table in new[] { "customers", "orders" })
        {
            _cluster.CreateTopic(Sink.Kafka.TopicOf(new TableName("public", table)), Partitions);
        }

        _counter = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = "demo-counter" }).Build();
    }

    /// <summary>The Kafka sink of the shop pipeline: postgres → kafka.</summary>
    public SinkConfig Sink { get; }

    public string BootstrapServers => _cluster.BootstrapServers;

    public string OrdersTopic => Sink.Kafka!.TopicOf(s_orders);

    /// <summary>The second pipeline: kafka → the warehouse at <paramref name="warehouse"/>, reading every topic of the prefix.</summary>
    public PipelineConfig Pipeline(string warehouse) => new()
    {
        Name = PipelineName,
        Source = new SourceConfig
        {
            Kafka = new KafkaSourceOptions
            {
                BootstrapServers = _cluster.BootstrapServers,
                TopicPattern = $@"{TopicPrefix}\.public\..*",
                GroupId = "demo-warehouse",
                StartFrom = KafkaSourceOptions.StartEarliest,
            },
        },
        Sinks = [new SinkConfig { Name = "warehouse", Postgres = new PostgresSinkOptions { Connection = warehouse } }],
    };

    /// <summary>Messages in the orders topic so far (the partitions' high watermarks), or null while the brokers do not answer.</summary>
    public long? CountOrderEvents()
    {
        try
        {
            long total = 0;
            for (var partition = 0; partition < Partitions; partition++)
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
