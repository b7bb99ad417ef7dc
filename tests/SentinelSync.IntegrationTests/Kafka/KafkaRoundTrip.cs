using System.Runtime.CompilerServices;
using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// A Postgres → Kafka → Postgres round trip for real <c>sentinel run</c>s: the Kafka cluster (librdkafka's mock in
/// this process, or the real one of SENTINEL_TEST_KAFKA), a Postgres source, a destination and a control database,
/// and the YAML of the two pipelines: <c>to_kafka</c> (every public table of the source, snapshot first, into topics
/// under <see cref="Prefix"/>, sink <c>bus</c>) and <c>from_kafka</c> (those topics into the destination, sink
/// <c>warehouse</c>).
/// </summary>
internal sealed class KafkaRoundTrip : IAsyncDisposable
{
    private KafkaRoundTrip(KafkaTestCluster kafka, PostgresDatabase source, PostgresDatabase destination, PostgresDatabase control)
    {
        Kafka = kafka;
        Source = source;
        Destination = destination;
        Control = control;
    }

    public KafkaTestCluster Kafka { get; }

    public PostgresDatabase Source { get; }

    public PostgresDatabase Destination { get; }

    public PostgresDatabase Control { get; }

    /// <summary>Prefixed to every topic, so that tests sharing a real broker do not meet.</summary>
    public string Prefix { get; } = $"k{Guid.NewGuid():N}"[..12];

    public static async Task<KafkaRoundTrip> CreateAsync([CallerMemberName] string name = "", [CallerFilePath] string callerFile = "")
    {
        var kafka = new KafkaTestCluster();
        var source = await PostgresDatabase.CreateAsync(TestServers.Postgres, name + "_src", callerFile);
        var destination = await PostgresDatabase.CreateAsync(TestServers.PostgresDestination, name + "_dst", callerFile);
        var control = await PostgresDatabase.CreateAsync(TestServers.Postgres, name + "_ctl", callerFile);
        return new KafkaRoundTrip(kafka, source, destination, control);
    }

    /// <summary>Creates the topic of source table <paramref name="table"/> (e.g. <c>public.orders</c>).</summary>
    public Task CreateTopicAsync(string table, int partitions) => Kafka.CreateTopicAsync($"{Prefix}.{table}", partitions);

    /// <summary>Pipeline <c>to_kafka</c>; <paramref name="sinkOptions"/> ends the Kafka sink's map (format and more).</summary>
    public string ToKafka(string sinkOptions) => $$"""
          - name: to_kafka
            source:
              postgres: { connection: "{{Source.ConnectionString}}", publication: {{Source.Name}}, slot: {{Source.Name}}, tables: ["public.*"], snapshot: initial }
            sinks:
              - name: bus
                kafka: { bootstrapServers: "{{Kafka.BootstrapServers}}", topicPrefix: {{Prefix}}, {{sinkOptions}} }

        """;

    /// <summary>
    /// Pipeline <c>from_kafka</c>; <paramref name="sourceOptions"/> ends the Kafka source's map (format and more),
    /// <paramref name="moreSinks"/> lists sinks beside the destination (YAML list items indented like it).
    /// </summary>
    public string FromKafka(string sourceOptions, string moreSinks = "") => $$"""
          - name: from_kafka
            source:
              kafka: { bootstrapServers: "{{Kafka.BootstrapServers}}", topicPattern: '{{Prefix}}\..*', groupId: {{Prefix}}-warehouse, startFrom: earliest, {{sourceOptions}} }
            sinks:
              - name: warehouse
                postgres: { connection: "{{Destination.ConnectionString}}" }

        """ + moreSinks;

    /// <summary>A configuration file for silo <paramref name="silo"/> of the cluster of <paramref name="control"/> running <paramref name="pipelines"/>.</summary>
    public static async Task<(string File, int Port)> WriteConfigAsync(PostgresDatabase control, string silo, params string[] pipelines)
    {
        var port = SentinelProcess.FreePortPair();
        var file = Path.Combine(Path.GetTempPath(), $"{control.Name}.yaml");
        await File.WriteAllTextAsync(file, $$"""
            controlDb: "{{control.ConnectionString}}"
            silo: { name: {{silo}}, httpPort: {{port}}, siloPort: {{port + 1}} }
            pipelines:

            """ + string.Concat(pipelines));
        return (file, port);
    }

    /// <summary>Both pipelines in one silo of the fixture's cluster.</summary>
    public Task<(string File, int Port)> WriteConfigAsync(string sinkOptions, string sourceOptions, string moreSinks = "") =>
        WriteConfigAsync(Control, "test-silo", ToKafka(sinkOptions), FromKafka(sourceOptions, moreSinks));

    /// <summary>
    /// Waits until <paramref name="actual"/> returns the rows <paramref name="expected"/> returns (both read afresh
    /// each time); a table, column or ClickHouse database not there yet counts as not equal yet.
    /// </summary>
    public static async Task WaitForEqualAsync(string what, Func<Task<List<string>>> expected, Func<Task<List<string>>> actual, SentinelProcess sentinel, TimeSpan within)
    {
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var want = await expected();
                List<string> got;
                try
                {
                    got = await actual();
                }
                catch (Exception e) when (e is Npgsql.PostgresException or InvalidOperationException)
                {
                    last = e.Message;
                    return false;
                }

                last = RoundTripTable.Difference(want, got);
                return want.SequenceEqual(got);
            },
            within,
            () => $"{what}; {last}; log tail:\n{sentinel.LogTail()}");
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        await Destination.DisposeAsync();
        await Control.DisposeAsync();
        Kafka.Dispose();
    }
}
