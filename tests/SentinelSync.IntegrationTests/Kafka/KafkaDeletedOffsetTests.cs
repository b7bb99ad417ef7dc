using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka;
using SentinelSync.Testing;
using SentinelSync.Testing.Metrics;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// Messages deleted from a partition before they were applied (what retention does to a pipeline that stood still
/// too long) must stop the partition with an error that says so, not be skipped: librdkafka's
/// <c>auto.offset.reset=earliest</c> would have jumped to the brokers' earliest offset without a word. The deletion is
/// the Admin API's DeleteRecords, against librdkafka's mock cluster or the broker of SENTINEL_TEST_KAFKA.
/// </summary>
public sealed class KafkaDeletedOffsetTests
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_partition_whose_next_messages_were_deleted_stops_with_an_error_instead_of_skipping_them()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync();
        var topic = scenario.Topic("dbserver1.public.events");
        await scenario.Kafka.CreateTopicAsync(topic, 1);
        await scenario.ProduceAsync(topic, KafkaSourceScenario.KeyedEvents(0, 10));
        var (file, port) = await scenario.WriteConfigAsync(("events", "debezium-json", [topic]));
        await using (var first = await SentinelProcess.StartAsync(file, port))
        {
            await scenario.WaitForRowsAsync("SELECT count(*) FROM public.events", ["10"], first, s_within);
        }

        // While no silo runs, ten more arrive and the brokers delete the oldest: the mock keeps about 5 MB of a
        // partition, so ten of 600 KB push out the first ones; a real broker is told to (DeleteRecords).
        await scenario.ProduceAsync(topic, KafkaSourceScenario.KeyedEvents(10, 10, padding: scenario.Kafka.IsMock ? 600_000 : 0));
        if (!scenario.Kafka.IsMock)
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = scenario.Kafka.BootstrapServers }).Build();
            await admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 15)]);
        }

        long earliest;
        using (var probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = scenario.Kafka.BootstrapServers, GroupId = "probe" }).Build())
        {
            earliest = probe.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(30)).Low.Value;
        }

        earliest.ShouldBeInRange(11, 19, "the brokers still hold offset 10, so nothing was deleted ahead of the pipeline");

        await using (var sentinel = await SentinelProcess.StartAsync(file, port))
        {
            using var http = new HttpClient { BaseAddress = sentinel.Address };
            var last = "";
            await Eventually.WaitAsync(
                async () =>
                {
                    var pipeline = (await http.GetFromJsonAsync<JsonElement>("api/pipelines")).GetProperty("pipelines")[0];
                    last = pipeline.GetRawText();
                    return pipeline.TryGetProperty("partitions", out var partitions) && partitions.GetArrayLength() == 1
                        && partitions[0].GetProperty("phase").GetString() == "failed"
                        && partitions[0].GetProperty("lastError").GetString() is { } error
                        && error.Contains("no longer on the brokers", StringComparison.Ordinal)
                        && error.Contains($"the earliest offset they hold is {earliest}", StringComparison.Ordinal);
                },
                s_within,
                () => $"the partition to fail on its deleted offset 10; last: {last}; log tail:\n{sentinel.LogTail()}");

            // Nothing after the gap was applied: what is left waits behind the deleted offsets.
            (await scenario.RowsAsync("SELECT count(*), max(id) FROM public.events")).ShouldBe(["10|9"]);

            // What an alert reads: the partition's failures count up as it retries, and nothing was skipped.
            var metrics = ExpositionParser.Parse(await http.GetStringAsync("metrics"));
            metrics.Find("sentinel_kafka_partition_failures_total", ("pipeline", "events"), ("topic", topic), ("partition", "0")).ShouldNotBeNull().Value.ShouldBeGreaterThanOrEqualTo(1);
            metrics.Samples("sentinel_kafka_messages_skipped_total").ShouldBeEmpty();
        }

        // The operator accepts the gap: the partition goes on from the earliest offset, saying what it skipped.
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("startFrom: earliest", "startFrom: earliest, deletedMessages: skip", StringComparison.Ordinal));
        await using var skipping = await SentinelProcess.StartAsync(file, port);
        await scenario.WaitForRowsAsync("SELECT count(*), min(id) FILTER (WHERE id >= 10), max(id) FROM public.events", [$"{10 + 20 - earliest}|{earliest}|19"], skipping, s_within);
        await skipping.WaitForLogAsync($"skips messages the brokers deleted before they were applied");

        // The gap is counted (offsets 10 to earliest - 1), and the partition's lag is back to nothing once all is applied.
        using var skippingHttp = new HttpClient { BaseAddress = skipping.Address };
        var page = ExpositionParser.Parse(await skippingHttp.GetStringAsync("metrics"));
        page.Find("sentinel_kafka_messages_skipped_total", ("pipeline", "events"), ("topic", topic), ("partition", "0")).ShouldNotBeNull().Value.ShouldBe(earliest - 10);
        await Eventually.WaitAsync(
            async () => ExpositionParser.Parse(await skippingHttp.GetStringAsync("metrics")).Find("sentinel_kafka_partition_lag", ("pipeline", "events"), ("topic", topic), ("partition", "0"))?.Value == 0,
            s_within,
            () => "the partition's lag to be 0 once every message left was applied");
    }
}
