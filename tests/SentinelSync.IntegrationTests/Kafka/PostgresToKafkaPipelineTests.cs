using System.Runtime.CompilerServices;
using System.Text.Json;
using SentinelSync.Replication.Kafka.Debezium;
using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>Postgres → Kafka through the real <c>sentinel</c> process, against librdkafka's mock cluster (or SENTINEL_TEST_KAFKA).</summary>
public sealed class PostgresToKafkaPipelineTests(KafkaTestCluster kafka, ITestOutputHelper output) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Snapshot_inserts_updates_deletes_and_unchanged_toast_reach_the_topic_as_debezium_events()
    {
        await using var pipeline = await KafkaPipeline.CreateAsync(kafka);
        await pipeline.Source.ExecuteAsync("""
            CREATE TABLE items (id integer PRIMARY KEY, name text, body text, price numeric(10,2), at timestamptz);
            ALTER TABLE items ALTER COLUMN body SET STORAGE EXTERNAL;
            INSERT INTO items VALUES (1, 'one', repeat('toast-me ', 2000), 1.50, '2026-11-30 10:00:00+00'), (2, 'two', 'short', 2.00, NULL), (3, 'three', NULL, NULL, NULL);
            """);
        await using var sentinel = await pipeline.StartAsync();
        await pipeline.ReadAsync("public.items", expected: 3);

        await pipeline.Source.ExecuteAsync("INSERT INTO items VALUES (4, 'four', 'b4', 4.25, NULL)");
        await pipeline.Source.ExecuteAsync("UPDATE items SET name = 'one again' WHERE id = 1");
        await pipeline.Source.ExecuteAsync("DELETE FROM items WHERE id = 2");
        await pipeline.Source.ExecuteAsync("UPDATE items SET price = 3.33 WHERE id = 3");

        var events = await pipeline.ReadAsync("public.items", expected: 8);
        string Ops(int id) => string.Join(' ', events.Where(e => e.Key == $$"""{"id":{{id}}}""").Select(e => e.Op));
        (Ops(1), Ops(2), Ops(3), Ops(4)).ShouldBe(("r u", "r d tombstone", "r u", "c"));
        var toastUpdate = events.Single(e => e.Key == """{"id":1}""" && e.Op == "u").Value;
        toastUpdate.GetProperty("after").GetProperty("name").GetString().ShouldBe("one again");
        toastUpdate.GetProperty("after").GetProperty("body").GetString().ShouldBe(DebeziumEnvelope.UnavailableValuePlaceholder);
        var snapshotRow = events.First(e => e.Key == """{"id":1}""").Value;
        snapshotRow.GetProperty("after").GetProperty("body").GetString().ShouldBe(string.Concat(Enumerable.Repeat("toast-me ", 2000)));
        snapshotRow.GetProperty("after").GetProperty("price").GetString().ShouldBe("AJY=", "1.50 as Connect Decimal bytes: unscaled 150 = 0x0096");
        snapshotRow.GetProperty("after").GetProperty("at").GetString().ShouldBe("2026-11-30T10:00:00Z");
        snapshotRow.GetProperty("source").GetProperty("snapshot").GetString().ShouldBe("true");
        var delete = events.Single(e => e.Op == "d").Value;
        delete.GetProperty("before").GetProperty("id").GetInt32().ShouldBe(2);
        var source = delete.GetProperty("source");
        source.GetProperty("db").GetString().ShouldBe(pipeline.Source.Name);
        source.GetProperty("table").GetString().ShouldBe("items");
        source.GetProperty("txId").GetInt64().ShouldBeGreaterThan(0);
        source.GetProperty("lsn").GetInt64().ShouldBeGreaterThan(0);
        source.GetProperty("snapshot").GetString().ShouldBe("false");
        Math.Abs(source.GetProperty("ts_ms").GetInt64() - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ShouldBeLessThan(120_000, "the commit time");
        await sentinel.WaitForLogAsync("librdkafka 2.16.0 loaded from ");
        await sentinel.WaitForLogAsync("centos8-librdkafka.so");
    }

    [Fact]
    public async Task A_sigkill_mid_stream_leaves_no_gap_and_repeats_only_whole_positions()
    {
        const int rows = 3000;
        await using var pipeline = await KafkaPipeline.CreateAsync(kafka);
        await pipeline.Source.ExecuteAsync("CREATE TABLE counters (id integer PRIMARY KEY, v integer NOT NULL); INSERT INTO counters VALUES (0, 1)");
        var sentinel = await pipeline.StartAsync();
        // Row 0's snapshot event says the pipeline streams: every later write is a change of its own in the topic.
        await pipeline.ReadAsync("public.counters", expected: 1);
        var writer = Task.Run(async () =>
        {
            for (var first = 1; first <= rows; first += 50)
            {
                await pipeline.Source.ExecuteAsync($"INSERT INTO counters SELECT g, 0 FROM generate_series({first}, {first + 49}) g");
                await pipeline.Source.ExecuteAsync($"UPDATE counters SET v = 1 WHERE id BETWEEN {first} AND {first + 49}");
                // Paced, so that the kill below lands while changes still flow.
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
        });

        await Eventually.WaitAsync(async () => (await pipeline.CountAsync("public.counters")) >= rows / 3, s_timeout, () => "a third of the rows in the topic before the kill");
        await sentinel.KillAsync();
        output.WriteLine($"killed with {await pipeline.CountAsync("public.counters")} messages in the topic");
        await using var restarted = await pipeline.StartAsync();
        await writer;
        List<Event> events;
        try
        {
            events = await pipeline.ReadAsync("public.counters", expected: 2 * rows + 1);
        }
        catch
        {
            output.WriteLine($"restarted silo's log:\n{restarted.Log}\nkilled silo's log:\n{sentinel.Log}");
            throw;
        }

        // Dropping repeats by position (the documented consumer rule) must leave exactly each row's history.
        var distinct = events.DistinctBy(e => e.Position).ToList();
        distinct.Count.ShouldBe(2 * rows + 1, $"{events.Count} messages, {distinct.Count} distinct positions");
        distinct.Single(e => e.Key == """{"id":0}""").Op.ShouldBe("r");
        foreach (var key in distinct.Where(e => e.Key != """{"id":0}""").GroupBy(e => e.Key))
        {
            key.Select(e => $"{e.Op}{e.Value.GetProperty("after").GetProperty("v").GetInt32()}").ShouldBe(["c0", "u1"], key.Key);
        }

        foreach (var repeat in events.GroupBy(e => e.Position).Where(g => g.Count() > 1))
        {
            repeat.Select(e => e.Raw).Distinct().Count().ShouldBe(1, $"a repeat of {repeat.Key} must be the same event, sent again");
        }

        output.WriteLine($"{events.Count} messages for {2 * rows + 1} changes ({events.Count - distinct.Count} repeats after the kill)");
        await sentinel.DisposeAsync();
    }

    /// <summary>A source and control database and a sentinel configuration with one Kafka sink.</summary>
    private sealed class KafkaPipeline(KafkaTestCluster kafka, PostgresDatabase source, PostgresDatabase control, string configFile, int port, string prefix) : IAsyncDisposable
    {
        public PostgresDatabase Source => source;

        public static async Task<KafkaPipeline> CreateAsync(KafkaTestCluster kafka, [CallerMemberName] string name = "", [CallerFilePath] string callerFile = "")
        {
            var source = await PostgresDatabase.CreateAsync(TestServers.Postgres, name + "_src", callerFile);
            var control = await PostgresDatabase.CreateAsync(TestServers.Postgres, name + "_ctl", callerFile);
            var port = SentinelProcess.FreePortPair();
            var prefix = $"e2e{Guid.NewGuid():N}"[..14];
            var configFile = Path.Combine(Path.GetTempPath(), $"{source.Name}.yaml");
            await File.WriteAllTextAsync(configFile, $$"""
                controlDb: "{{control.ConnectionString}}"
                silo: { name: kafka-silo, httpPort: {{port}}, siloPort: {{port + 1}} }
                pipelines:
                  - name: p
                    source:
                      postgres: { connection: "{{source.ConnectionString}}", publication: {{source.Name}}, slot: {{source.Name}}, tables: ["public.*"], snapshot: initial }
                    sinks:
                      - name: events
                        kafka: { bootstrapServers: "{{kafka.BootstrapServers}}", topicPrefix: {{prefix}}, schemas: false }
                """);
            return new KafkaPipeline(kafka, source, control, configFile, port, prefix);
        }

        public Task<SentinelProcess> StartAsync() => SentinelProcess.StartAsync(configFile, port);

        public async Task<long> CountAsync(string table)
        {
            var topic = $"{prefix}.{table}";
            try
            {
                return (await kafka.ReadAllAsync(topic, expected: 0, TimeSpan.FromSeconds(10))).Count;
            }
            catch (TimeoutException)
            {
                return 0;
            }
        }

        public async Task<List<Event>> ReadAsync(string table, int expected)
        {
            var messages = await kafka.ReadAllAsync($"{prefix}.{table}", expected, s_timeout);
            messages.Count.ShouldBeGreaterThanOrEqualTo(expected, $"messages in {prefix}.{table}");
            return [.. messages.Select(m => new Event(
                m.Message.Key is null ? null : System.Text.Encoding.UTF8.GetString(m.Message.Key),
                m.Message.Value is null ? "tombstone" : JsonDocument.Parse(m.Message.Value).RootElement.GetProperty("op").GetString()!,
                m.Message.Value is null ? default : JsonDocument.Parse(m.Message.Value).RootElement,
                System.Text.Encoding.ASCII.GetString(m.Message.Headers.GetLastBytes(DebeziumEnvelope.PositionHeader)),
                m.Message.Value is null ? "" : System.Text.Encoding.UTF8.GetString(m.Message.Value).Replace(TsMs(m.Message.Value), "", StringComparison.Ordinal)))];
        }

        /// <summary>The envelope's own ts_ms (when the sink wrote it) differs between a message and its repeat; everything else must not.</summary>
        private static string TsMs(byte[] value) =>
            $"\"ts_ms\":{JsonDocument.Parse(value).RootElement.GetProperty("ts_ms").GetInt64()},\"transaction\"";

        public async ValueTask DisposeAsync()
        {
            await source.DisposeAsync();
            await control.DisposeAsync();
            File.Delete(configFile);
        }
    }

    private sealed record Event(string? Key, string Op, JsonElement Value, string Position, string Raw);
}
