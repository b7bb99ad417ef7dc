namespace SentinelSync.Replication.Pipelines;

/// <summary>One pipeline: a source and the sinks its changes go to.</summary>
public sealed class PipelineConfig
{
    public string? Name { get; set; }

    public SourceConfig? Source { get; set; }

    public List<SinkConfig> Sinks { get; set; } = [];

    /// <summary>A scheduled reconcile of the pipeline's tables (none when null).</summary>
    public Reconcile.ReconcileConfig? Reconcile { get; set; }
}
