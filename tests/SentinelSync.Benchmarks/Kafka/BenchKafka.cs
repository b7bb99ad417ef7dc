using System.Globalization;
using SentinelSync.Replication.Kafka;

namespace SentinelSync.Benchmarks.Kafka;

/// <summary>
/// The Kafka leg of the benchmark: librdkafka's mock cluster in the benchmark process (it outlives the silo) with the
/// workload's topics created up front, and the two pipelines that replace the direct one in the silo's configuration:
/// <c>bench_out</c> (the Postgres source into a Kafka sink, Debezium JSON with schemas, lz4) and <c>bench_in</c> (a
/// Kafka source reading those topics into the Postgres destination).
/// </summary>
internal sealed class BenchKafka : IDisposable
{
    public const string Prefix = "bench";
    public const string OutboundPipeline = "bench_out";
    public const string InboundPipeline = "bench_in";

    /// <summary>
    /// Partitions per topic. The mock keeps only about 5 MB per partition and drops the oldest beyond that, so the
    /// busy tables get more of them; each partition is one partition grain with its own consumer, so not too many.
    /// </summary>
    private static readonly Dictionary<string, int> s_partitions = new()
    {
        ["pgbench_accounts"] = 8, ["pgbench_history"] = 8, ["wide_rows"] = 8, ["pgbench_branches"] = 1, ["pgbench_tellers"] = 2, ["bench_heartbeat"] = 1,
    };

    private readonly MockKafkaCluster _cluster = MockKafkaCluster.Start(brokers: 3);

    public BenchKafka()
    {
        foreach (var (table, partitions) in s_partitions)
        {
            _cluster.CreateTopic($"{Prefix}.public.{table}", partitions);
        }
    }

    public string BootstrapServers => _cluster.BootstrapServers;

    /// <summary>The configuration's <c>pipelines:</c> entries for source → Kafka → destination.</summary>
    public string Pipelines(string sourceConnection, string slot, string destinationConnection) => string.Create(CultureInfo.InvariantCulture, $$"""
          - name: {{OutboundPipeline}}
            source:
              postgres:
                connection: "{{sourceConnection}}"
                publication: {{slot}}
                slot: {{slot}}
                tables: ["public.*"]
                snapshot: initial
            sinks:
              - name: bus
                kafka: { bootstrapServers: "{{BootstrapServers}}", topicPrefix: {{Prefix}}, format: debezium-json, compression: lz4 }
          - name: {{InboundPipeline}}
            source:
              kafka: { bootstrapServers: "{{BootstrapServers}}", topicPattern: '{{Prefix}}\..*', groupId: bench-in, format: debezium-json, startFrom: earliest }
            sinks:
              - name: dst
                postgres: { connection: "{{destinationConnection}}" }
        """);

    public void Dispose() => _cluster.Dispose();
}
