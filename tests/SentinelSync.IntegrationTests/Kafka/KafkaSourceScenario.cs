using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Confluent.Kafka;
using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// An end-to-end Kafka source test: the Kafka cluster (librdkafka's mock in this process, or the real one of
/// SENTINEL_TEST_KAFKA), a destination database, a control database, optionally a ClickHouse database, and a
/// configuration for a real <c>sentinel run</c> with Kafka-source pipelines into them.
/// </summary>
internal sealed class KafkaSourceScenario : IAsyncDisposable
{
    public const string SinkName = "warehouse";
    public const string ClickHouseSinkName = "analytics";

    private KafkaSourceScenario(KafkaTestCluster kafka, PostgresDatabase destination, PostgresDatabase control, ClickHouseDatabase? clickHouse, string prefix)
    {
        Kafka = kafka;
        Destination = destination;
        Control = control;
        ClickHouse = clickHouse;
        Prefix = prefix;
    }

    public KafkaTestCluster Kafka { get; }

    public PostgresDatabase Destination { get; }

    public PostgresDatabase Control { get; }

    public ClickHouseDatabase? ClickHouse { get; }

    /// <summary>Prefixed to every topic, so that tests sharing a real broker do not meet.</summary>
    public string Prefix { get; }

    public static async Task<KafkaSourceScenario> CreateAsync(bool clickHouse = false, [CallerMemberName] string name = "", [CallerFilePath] string callerFile = "")
    {
        var kafka = new KafkaTestCluster();
        var destination = await PostgresDatabase.CreateAsync(TestServers.PostgresDestination, name + "_dst", callerFile);
        var control = await PostgresDatabase.CreateAsync(TestServers.Postgres, name + "_ctl", callerFile);
        var ch = clickHouse ? await ClickHouseDatabase.CreateAsync(name + "_ch", callerFile) : null;
        return new KafkaSourceScenario(kafka, destination, control, ch, $"t{Guid.NewGuid():N}"[..12]);
    }

    /// <summary>The <c>transforms</c> of the <see cref="SinkName"/> sink as a YAML flow list, or null for none.</summary>
    public string? SinkTransforms { get; set; }

    public string Topic(string name) => $"{Prefix}.{name}";

    /// <summary>Creates the fixture's topic (under <see cref="Prefix"/>) and produces its records in order; returns the topic.</summary>
    public async Task<string> ProduceFixtureAsync(KafkaFixture fixture, int partitions = 2)
    {
        var topic = Topic(fixture.Topic);
        await Kafka.CreateTopicAsync(topic, partitions);
        await ProduceAsync(topic, fixture.Records);
        return topic;
    }

    /// <summary>
    /// Debezium creates of <c>public.events</c> rows <c>(id, payload)</c> keyed by id, so they spread over a topic's
    /// partitions; <paramref name="padding"/> characters are added to each payload.
    /// </summary>
    public static IEnumerable<(byte[]? Key, byte[]? Value)> KeyedEvents(int from, int count, int padding = 0) => Enumerable.Range(from, count).Select(i => (
        (byte[]?)Encoding.UTF8.GetBytes($$"""{"id": {{i}}}"""),
        (byte[]?)Encoding.UTF8.GetBytes($$"""{"before": null, "after": {"id": {{i}}, "payload": "event {{i}}{{new string('x', padding)}}"}, "source": {"connector": "postgresql", "schema": "public", "table": "events"}, "op": "c"}""")));

    public async Task ProduceAsync(string topic, IEnumerable<(byte[]? Key, byte[]? Value)> records)
    {
        // The idempotent producer keeps each partition's records in production order, in flight or not.
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(Kafka.ProducerConfig()).Build();
        var failures = new List<string>();
        foreach (var (key, value) in records)
        {
            producer.Produce(topic, new Message<byte[]?, byte[]?> { Key = key, Value = value }, report =>
            {
                if (report.Error.IsError)
                {
                    lock (failures)
                    {
                        failures.Add(report.Error.Reason);
                    }
                }
            });
        }

        (await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(60)))).ShouldBe(0, $"records of {topic} still undelivered after 60 s");
        failures.ShouldBeEmpty();
    }

    /// <summary>A configuration file with one pipeline per entry (name, format, topics), all into the scenario's sinks.</summary>
    public async Task<(string File, int Port)> WriteConfigAsync(params (string Pipeline, string Format, string[] Topics)[] pipelines)
    {
        var port = SentinelProcess.FreePortPair();
        var file = Path.Combine(Path.GetTempPath(), $"{Destination.Name}.yaml");
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            controlDb: "{{Control.ConnectionString}}"
            silo: { name: test-silo, httpPort: {{port}}, siloPort: {{port + 1}} }
            pipelines:
            """);
        foreach (var (pipeline, format, topics) in pipelines)
        {
            text.Append(CultureInfo.InvariantCulture, $$"""

                  - name: {{pipeline}}
                    source:
                      kafka: { bootstrapServers: "{{Kafka.BootstrapServers}}", topics: [{{string.Join(", ", topics.Select(t => $"\"{t}\""))}}], groupId: "{{Prefix}}-{{pipeline}}", format: {{format}}, startFrom: earliest }
                    sinks:
                      - name: {{SinkName}}
                        postgres: { connection: "{{Destination.ConnectionString}}" }
                """);
            if (SinkTransforms is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $$"""

                            transforms: {{SinkTransforms}}
                    """);
            }

            if (ClickHouse is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $$"""

                          - name: {{ClickHouseSinkName}}
                            clickhouse: { url: "{{ClickHouse.Server}}", database: {{ClickHouse.Name}} }
                    """);
            }
        }

        await File.WriteAllTextAsync(file, text.ToString());
        return (file, port);
    }

    /// <summary>Rows of a destination query as text (NULL as "NULL"), one string per row, columns joined by '|'.</summary>
    public Task<List<string>> RowsAsync(string sql) => Destination.RowsAsync(sql);

    /// <summary>Waits until <paramref name="sql"/> returns <paramref name="expected"/> (rows as by <see cref="RowsAsync"/>).</summary>
    public Task WaitForRowsAsync(string sql, IReadOnlyList<string> expected, SentinelProcess sentinel, TimeSpan within) =>
        KafkaRoundTrip.WaitForEqualAsync($"`{sql}` to return [{string.Join("; ", expected)}]", () => Task.FromResult(expected.ToList()), () => RowsAsync(sql), sentinel, within);

    public async ValueTask DisposeAsync()
    {
        if (ClickHouse is not null)
        {
            await ClickHouse.DisposeAsync();
        }

        await Destination.DisposeAsync();
        await Control.DisposeAsync();
        Kafka.Dispose();
    }
}
