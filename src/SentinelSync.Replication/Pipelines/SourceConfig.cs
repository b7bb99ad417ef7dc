using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Pipelines;

/// <summary>A pipeline's source: exactly one kind (today <c>postgres</c>).</summary>
public sealed class SourceConfig
{
    public PostgresSourceOptions? Postgres { get; set; }
}
