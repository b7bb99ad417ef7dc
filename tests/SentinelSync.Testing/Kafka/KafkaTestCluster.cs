using Confluent.Kafka;
using Confluent.Kafka.Admin;
using SentinelSync.Replication.Kafka;

namespace SentinelSync.Testing.Kafka;

/// <summary>
/// The Kafka cluster a test talks to: librdkafka's mock cluster started in the test process (3 brokers, real
/// protocol on 127.0.0.1, reachable from <c>sentinel</c> processes too), or the real broker named by
/// <see cref="BrokerVariable"/> when that is set. Use as an xUnit class or collection fixture.
/// </summary>
public sealed class KafkaTestCluster : IDisposable
{
    /// <summary>bootstrap.servers of a real Kafka cluster; tests marked <c>[EnvironmentFact(BrokerVariable, ...)]</c> need it.</summary>
    public const string BrokerVariable = "SENTINEL_TEST_KAFKA";

    private readonly MockKafkaCluster? _mock;

    public KafkaTestCluster()
    {
        KafkaNativeLibrary.EnsureLoaded();
        var broker = RealBroker;
        if (broker is null)
        {
            _mock = MockKafkaCluster.Start(brokers: 3);
            BootstrapServers = _mock.BootstrapServers;
        }
        else
        {
            BootstrapServers = broker;
        }
    }

    /// <summary><see cref="BrokerVariable"/>'s value, or null when it is not set.</summary>
    public static string? RealBroker =>
        Environment.GetEnvironmentVariable(BrokerVariable) is { Length: > 0 } value ? value : null;

    /// <summary>The brokers' bootstrap list.</summary>
    public string BootstrapServers { get; }

    /// <summary>Whether this is librdkafka's mock cluster (see <see cref="MockKafkaCluster"/> for what it does not emulate).</summary>
    public bool IsMock => _mock is not null;

    /// <summary>A topic name unique to the calling test.</summary>
    public static string TopicName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Creates a topic: through the mock API on the mock (its AdminClient CreateTopics times out), AdminClient otherwise.</summary>
    public async Task CreateTopicAsync(string topic, int partitions, int replicationFactor = 1)
    {
        if (_mock is not null)
        {
            _mock.CreateTopic(topic, partitions, replicationFactor);
            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = (short)replicationFactor }]);
    }

    /// <summary>A producer configuration for this cluster: idempotent, all acks.</summary>
    public ProducerConfig ProducerConfig() => new()
    {
        BootstrapServers = BootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        MessageTimeoutMs = 60_000,
    };

    /// <summary>
    /// A consumer configuration reading from the beginning; the short session timeout matters on the mock, where a
    /// classic group join waits session.timeout.ms − 1 s.
    /// </summary>
    public ConsumerConfig ConsumerConfig(string groupId) => new()
    {
        BootstrapServers = BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 6_000,
        HeartbeatIntervalMs = 1_000,
    };

    /// <summary>
    /// Reads every message of <paramref name="topic"/> from the start (all partitions, by Assign: no group join)
    /// until at least <paramref name="expected"/> arrived and every partition reached its end, or
    /// <paramref name="timeout"/> passes; returns them in partition order, each partition in offset order. Reading to
    /// the end means messages beyond <paramref name="expected"/> (duplicates a test must not see) are returned too.
    /// </summary>
    public async Task<IReadOnlyList<ConsumeResult<byte[]?, byte[]?>>> ReadAllAsync(string topic, int expected, TimeSpan timeout)
    {
        var config = ConsumerConfig($"reader-{Guid.NewGuid():N}");
        config.EnablePartitionEof = true;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        var partitions = await PartitionsAsync(topic, timeout);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var messages = new List<ConsumeResult<byte[]?, byte[]?>>();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow + timeout;
        while ((messages.Count < expected || atEnd.Count < partitions.Count) && DateTime.UtcNow < deadline)
        {
            switch (consumer.Consume(TimeSpan.FromMilliseconds(200)))
            {
                case { IsPartitionEOF: true } eof:
                    atEnd.Add(eof.Partition.Value);
                    break;
                case { } message:
                    atEnd.Remove(message.Partition.Value);
                    messages.Add(message);
                    break;
            }
        }

        return [.. messages.OrderBy(m => m.Partition.Value).ThenBy(m => m.Offset.Value)];
    }

    /// <summary>The partition numbers of <paramref name="topic"/>, waiting until its metadata is known.</summary>
    public async Task<IReadOnlyList<Partition>> PartitionsAsync(string topic, TimeSpan timeout)
    {
        // Asking must not create the topic (the mock and many brokers create one on a metadata request otherwise).
        var config = new AdminClientConfig { BootstrapServers = BootstrapServers };
        config.Set("allow.auto.create.topics", "false");
        using var admin = new AdminClientBuilder(config).Build();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == topic);
            if (metadata is { Error.IsError: false, Partitions.Count: > 0 })
            {
                return [.. metadata.Partitions.Select(p => new Partition(p.PartitionId))];
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Kafka topic '{topic}' has no partitions at {BootstrapServers} after {timeout} ({metadata?.Error.Reason ?? "not in metadata"}).");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    public void Dispose() => _mock?.Dispose();
}
