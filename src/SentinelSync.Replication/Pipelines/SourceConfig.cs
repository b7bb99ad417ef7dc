using SentinelSync.Replication.Kafka.Source;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Pipelines;

/// <summary>A pipeline's source: exactly one kind, <c>postgres</c> or <c>kafka</c>.</summary>
public sealed class SourceConfig
{
    public PostgresSourceOptions? Postgres { get; set; }

    public KafkaSourceOptions? Kafka { get; set; }
}
