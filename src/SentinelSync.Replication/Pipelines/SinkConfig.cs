using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Pipelines;

/// <summary>One sink of a pipeline: a name and exactly one destination kind.</summary>
public sealed class SinkConfig
{
    public string? Name { get; set; }

    public PostgresSinkOptions? Postgres { get; set; }
}
