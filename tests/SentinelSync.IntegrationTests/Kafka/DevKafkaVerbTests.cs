using System.Text;
using Confluent.Kafka;
using SentinelSync.Replication.Kafka;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary><c>sentinel dev kafka</c>: a mock cluster in its own process that other processes use by address.</summary>
public sealed class DevKafkaVerbTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Another_process_produces_and_consumes_through_the_bootstrap_file_and_ctrl_c_removes_it()
    {
        KafkaNativeLibrary.EnsureLoaded();
        var directory = Directory.CreateTempSubdirectory("sentinel-dev-kafka-");
        var bootstrapFile = Path.Combine(directory.FullName, "bootstrap");
        await using var verb = SentinelProcess.StartVerb(Path.Combine(directory.FullName, "dev-kafka.log"), "dev", "kafka", "--brokers", "2", "--bootstrap-file", bootstrapFile);
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(bootstrapFile) || verb.HasExited), _timeout, () => $"the bootstrap file; log:\n{verb.Log}");
        verb.HasExited.ShouldBeFalse(verb.Log);
        var bootstrap = (await File.ReadAllTextAsync(bootstrapFile)).Trim();
        bootstrap.Split(',').Length.ShouldBe(2);
        await verb.WaitForLogAsync("librdkafka 2.16.");

        // The mock creates an unknown topic on a producer's metadata request (its default partition count).
        const string topic = "dev-verb";
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true }).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<Null, string> { Value = $"m{i}" });
            }
        }

        var consumed = new List<string>();
        using (var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "dev-verb-test" }).Build())
        {
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            var deadline = DateTime.UtcNow + _timeout;
            while (consumed.Count < 10 && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } message)
                {
                    consumed.Add(message.Message.Value);
                }
            }
        }

        consumed.ShouldBe(Enumerable.Range(0, 10).Select(i => $"m{i}"));
        (await verb.StopAsync()).ShouldBe(0, verb.Log);
        File.Exists(bootstrapFile).ShouldBeFalse();
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task A_broker_count_out_of_range_is_refused_naming_the_option()
    {
        var (exitCode, output) = await SentinelProcess.RunVerbAsync("dev", "kafka", "--brokers", "0");

        exitCode.ShouldNotBe(0);
        output.ShouldContain("--brokers: must be between 1 and 16.");
    }
}
