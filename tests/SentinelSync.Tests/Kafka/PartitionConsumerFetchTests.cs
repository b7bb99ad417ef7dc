using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using SentinelSync.Replication.Kafka.Source;
using SentinelSync.Testing.Kafka;

namespace SentinelSync.Tests.Kafka;

/// <summary>
/// The partition grain's consumer, as configured, against the mock cluster: a busy partition of compressed Debezium-sized
/// messages is read without pauses, though each fetch decompresses to more than the consumer's prefetch bound.
/// </summary>
public sealed class PartitionConsumerFetchTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private const int Messages = 20_000;

    [Fact]
    public async Task A_partition_whose_fetches_overflow_the_prefetch_bound_is_read_without_stalling()
    {
        var topic = KafkaTestCluster.TopicName("prefetch");
        await kafka.CreateTopicAsync(topic, partitions: 1);
        // A pgbench update's size with a schema block: about 2.2 KB, nearly all of it repeated, as Debezium JSON is.
        var value = Encoding.UTF8.GetBytes("{\"schema\":" + string.Concat(Enumerable.Repeat("{\"type\":\"int32\",\"optional\":false,\"field\":\"bid\"},", 45)) + "\"payload\":{\"bid\":1}}");
        var config = kafka.ProducerConfig();
        config.CompressionType = CompressionType.Lz4;
        config.LingerMs = 20;
        using (var producer = new ProducerBuilder<byte[]?, byte[]>(config).Build())
        {
            for (var i = 0; i < Messages; i++)
            {
                producer.Produce(topic, new Message<byte[]?, byte[]> { Value = value });
            }

            producer.Flush(TimeSpan.FromSeconds(60)).ShouldBe(0);
        }

        // The whole partition decompressed is far beyond the bound, so reading it must refill the queue many times.
        ((long)Messages * value.Length).ShouldBeGreaterThan(5L * KafkaPartitionReader.PrefetchKilobytes * 1024);

        var options = new KafkaSourceOptions { BootstrapServers = kafka.BootstrapServers, GroupId = "prefetch-test", Topics = [topic] };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaPartitionReader.ConsumerConfig(options)).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var deadline = Stopwatch.StartNew();
        var sinceLast = Stopwatch.StartNew();
        var longestGap = TimeSpan.Zero;
        var read = 0;
        while (read < Messages && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false })
            {
                // The first message waits for the consumer to connect; after it, every gap is the fetcher's doing.
                if (read > 0 && sinceLast.Elapsed > longestGap)
                {
                    longestGap = sinceLast.Elapsed;
                }

                read++;
                sinceLast.Restart();
            }
        }

        read.ShouldBe(Messages);
        // librdkafka's default fetch.queue.backoff.ms (1 s) put a full second between a fetch's last message and the next's.
        longestGap.ShouldBeLessThan(TimeSpan.FromMilliseconds(600), $"{Messages:N0} messages read in {deadline.Elapsed.TotalSeconds:N1} s");
    }
}
