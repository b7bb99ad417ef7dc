using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// A Kafka pipeline's partitions in <c>GET /api/pipelines</c> and <c>sentinel pipelines</c>: each partition's silo,
/// phase, committed and end offsets and lag, through a real <c>sentinel run</c> against librdkafka's mock cluster.
/// The lag is made visible by holding the destination table locked while more messages arrive.
/// </summary>
public sealed class KafkaPartitionStatusTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Api_and_cli_show_each_partitions_silo_offsets_and_lag()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync();
        var topic = scenario.Topic("dbserver1.public.events");
        await scenario.Kafka.CreateTopicAsync(topic, 2);
        await scenario.ProduceAsync(topic, KafkaSourceScenario.KeyedEvents(0, 30));
        var (file, port) = await scenario.WriteConfigAsync(("events", "debezium-json", [topic]));
        await using var sentinel = await SentinelProcess.StartAsync(file, port);
        await scenario.WaitForRowsAsync("SELECT count(*) FROM public.events", ["30"], sentinel, s_within);
        using var http = new HttpClient { BaseAddress = sentinel.Address };

        var caughtUp = await WaitForPartitionsAsync(http, committed: 30, end: 30, lag: 0, sentinel);
        caughtUp.Select(p => (p.GetProperty("topic").GetString(), p.GetProperty("partition").GetInt32())).ShouldBe([(topic, 0), (topic, 1)]);
        caughtUp.ShouldAllBe(p => p.GetProperty("silo").GetString() == "test-silo" && p.GetProperty("phase").GetString() == "streaming");
        caughtUp.ShouldAllBe(p => p.GetProperty("tables").EnumerateArray().Select(t => t.GetString()).SequenceEqual(new[] { "public.events" }));

        // Ten more messages the destination cannot take while its table is locked: they are the lag.
        await using (var blocker = await scenario.Destination.OpenConnectionAsync())
        {
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand("LOCK TABLE public.events IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await command.ExecuteNonQueryAsync();
            }

            await scenario.ProduceAsync(topic, KafkaSourceScenario.KeyedEvents(30, 10));
            await WaitForPartitionsAsync(http, committed: 30, end: 40, lag: 10, sentinel);

            var (exit, table) = await SentinelProcess.RunVerbAsync("pipelines", "--server", sentinel.Address.ToString());
            output.WriteLine(table);
            exit.ShouldBe(0, table);
            table.ShouldContain("Kafka partitions");
            table.ShouldContain($"{topic}/0");
            table.ShouldContain($"{topic}/1");
            await transaction.RollbackAsync();
        }

        await WaitForPartitionsAsync(http, committed: 40, end: 40, lag: 0, sentinel);
        await scenario.WaitForRowsAsync("SELECT count(*) FROM public.events", ["40"], sentinel, s_within);
    }

    /// <summary>Waits until the pipeline's partitions add up to the given committed and end offsets and lag; returns them.</summary>
    private static async Task<List<JsonElement>> WaitForPartitionsAsync(HttpClient http, long committed, long end, long lag, SentinelProcess sentinel)
    {
        var partitions = new List<JsonElement>();
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var pipeline = (await http.GetFromJsonAsync<JsonElement>("api/pipelines")).GetProperty("pipelines")[0];
                last = pipeline.GetRawText();
                if (!pipeline.TryGetProperty("partitions", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != 2)
                {
                    return false;
                }

                partitions = [.. list.EnumerateArray()];
                return partitions.All(p => p.GetProperty("lag").ValueKind == JsonValueKind.Number)
                    && partitions.Sum(p => p.GetProperty("committedOffset").GetInt64()) == committed
                    && partitions.Sum(p => p.GetProperty("endOffset").GetInt64()) == end
                    && partitions.Sum(p => p.GetProperty("lag").GetInt64()) == lag;
            },
            s_within,
            () => $"partitions to sum to committed {committed}, end {end}, lag {lag}; last: {last}; log tail:\n{sentinel.LogTail()}");
        return partitions;
    }
}
