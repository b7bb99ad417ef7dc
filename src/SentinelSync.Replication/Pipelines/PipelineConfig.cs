namespace SentinelSync.Replication.Pipelines;

/// <summary>One pipeline: a source and the sinks its changes go to.</summary>
public sealed class PipelineConfig
{
    public string? Name { get; set; }

    public SourceConfig? Source { get; set; }

    public List<SinkConfig> Sinks { get; set; } = [];
}
