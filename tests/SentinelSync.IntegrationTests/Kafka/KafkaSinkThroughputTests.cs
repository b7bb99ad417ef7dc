using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;
using Xunit.Abstractions;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// A measurement, not a timed assertion: prints changes/s for 200,000 inserts in batches of 10,000 (the sink
/// grain's largest batch) through the Kafka sink into librdkafka's mock cluster, JSON with and without schema blocks and
/// Avro (schema registry stand-in);
/// checks only that every message was acknowledged (the partitions' high watermarks: the mock keeps only ~5 MB per
/// partition, so the messages themselves cannot all be read back). Exclude with <c>--filter Category!=Measurement</c>.
/// </summary>
[Trait("Category", "Measurement")]
public sealed class KafkaSinkThroughputTests(KafkaTestCluster kafka, ITestOutputHelper output) : IClassFixture<KafkaTestCluster>
{
    private const int Changes = 200_000;
    private const int BatchSize = 10_000;

    [Fact]
    public async Task Measure_inserts_through_the_sink()
    {
        // The third run is format debezium-avro against the schema registry STAND-IN (registration once per schema).
        await using var registry = SentinelSync.Testing.SchemaRegistry.TestSchemaRegistry.Start();
        foreach (var (schemas, avro) in new[] { (false, false), (true, false), (false, true) })
        {
            await using var target = await KafkaSinkTarget.CreateAsync(kafka, o =>
            {
                o.Schemas = schemas;
                if (avro)
                {
                    o.Format = Replication.Kafka.KafkaSinkOptions.DebeziumAvro;
                    o.SchemaRegistry = new Replication.Kafka.Avro.SchemaRegistryOptions { Url = registry.Url };
                }
            });
            var schema = Table("measured", 1, Key("id", "bigint"), Column("name", "text"), Column("amount", "numeric(12,2)"), Column("at", "timestamp with time zone"));
            var batches = Enumerable.Range(0, Changes / BatchSize).Select(b =>
            {
                var builder = new ChangeBatchBuilder(schema, (ulong)(0x10000 + (b * BatchSize)));
                for (var i = b * BatchSize; i < (b + 1) * BatchSize; i++)
                {
                    builder.Insert(I(i), $"name {I(i)}", string.Create(CultureInfo.InvariantCulture, $"{i % 100000}.{i % 100:00}"), "2024-02-29 12:34:56.123456+00");
                }

                return builder.Build();
            }).ToList();
            await kafka.CreateTopicAsync(target.Options.TopicOf(schema.Table), partitions: 4);

            var watch = Stopwatch.StartNew();
            foreach (var batch in batches)
            {
                await target.Sink.ApplyAsync(batch, KafkaSinkTarget.SinkName, 1);
            }

            watch.Stop();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(avro ? "avro" : $"json, schemas: {schemas}")}: {Changes:N0} inserts in {watch.Elapsed.TotalSeconds:F1} s = {Changes / watch.Elapsed.TotalSeconds:N0} changes/s"));
            (await AcknowledgedAsync(target.Options.TopicOf(schema.Table))).ShouldBe(Changes);
        }
    }

    private async Task<long> AcknowledgedAsync(string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(kafka.ConsumerConfig("measure")).Build();
        var partitions = await kafka.PartitionsAsync(topic, TimeSpan.FromSeconds(30));
        return partitions.Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    private static string I(int i) => i.ToString(CultureInfo.InvariantCulture);
}
