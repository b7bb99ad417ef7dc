using System.Text;
using Confluent.Kafka;
using SentinelSync.Replication.Kafka;
using SentinelSync.Testing.Kafka;

namespace SentinelSync.Tests.Kafka;

public sealed class MockKafkaClusterTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_mock_cluster_names_one_loopback_address_per_broker()
    {
        using var cluster = MockKafkaCluster.Start(brokers: 3);

        var addresses = cluster.BootstrapServers.Split(',');
        addresses.Length.ShouldBe(3);
        addresses.ShouldAllBe(address => address.StartsWith("127.0.0.1:", StringComparison.Ordinal));
        addresses.Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task A_topic_created_through_the_mock_api_has_its_partitions()
    {
        var topic = KafkaTestCluster.TopicName("created");

        await kafka.CreateTopicAsync(topic, partitions: 5, replicationFactor: 3);

        (await kafka.PartitionsAsync(topic, _timeout)).Count.ShouldBe(5);
    }

    [Fact]
    public async Task Messages_produced_by_a_plain_client_are_consumed_in_order_with_keys_and_headers()
    {
        var topic = KafkaTestCluster.TopicName("roundtrip");
        await kafka.CreateTopicAsync(topic, partitions: 1);
        using (var producer = new ProducerBuilder<string, string>(kafka.ProducerConfig()).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                var headers = new Headers { { "n", Encoding.UTF8.GetBytes(i.ToString()) } };
                await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i % 7}", Value = $"v{i}", Headers = headers });
            }
        }

        var messages = await kafka.ReadAllAsync(topic, expected: 100, _timeout);

        messages.Select(m => Encoding.UTF8.GetString(m.Message.Value!)).ShouldBe(Enumerable.Range(0, 100).Select(i => $"v{i}"));
        messages.Select(m => Encoding.UTF8.GetString(m.Message.Key!)).ShouldBe(Enumerable.Range(0, 100).Select(i => $"k{i % 7}"));
        messages.Select(m => Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes("n"))).ShouldBe(Enumerable.Range(0, 100).Select(i => i.ToString()));
        messages.Select(m => m.Offset.Value).ShouldBe(Enumerable.Range(0, 100).Select(i => (long)i));
    }

    [Fact]
    public void Creating_a_topic_after_dispose_fails_clearly()
    {
        var cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.Dispose();

        Should.Throw<ObjectDisposedException>(() => cluster.CreateTopic("late", partitions: 1));
    }
}
