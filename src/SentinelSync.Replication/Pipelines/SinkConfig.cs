using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.ClickHouse;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Masking;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Pipelines;

/// <summary>One sink of a pipeline: a name and exactly one destination kind (<c>postgres:</c>, <c>clickhouse:</c>, <c>kafka:</c> or <c>cassandra:</c>).</summary>
public sealed class SinkConfig
{
    public string? Name { get; set; }

    public PostgresSinkOptions? Postgres { get; set; }

    public ClickHouseSinkOptions? ClickHouse { get; set; }

    public KafkaSinkOptions? Kafka { get; set; }

    public CassandraSinkOptions? Cassandra { get; set; }
    /// <summary>Per-table masking, exclusion and renaming, applied before anything reaches this sink (and this sink alone).</summary>
    public List<TableTransformConfig> Transforms { get; set; } = [];

    /// <summary>The destination entries that are set, by their configuration key.</summary>
    public IEnumerable<string> DestinationKeys()
    {
        if (Postgres is not null)
        {
            yield return PostgresSinkOptions.SectionName;
        }

        if (ClickHouse is not null)
        {
            yield return ClickHouseSinkOptions.SectionName;
        }

        if (Kafka is not null)
        {
            yield return KafkaSinkOptions.SectionName;
        }

        if (Cassandra is not null)
        {
            yield return CassandraSinkOptions.SectionName;
        }
    }
}
