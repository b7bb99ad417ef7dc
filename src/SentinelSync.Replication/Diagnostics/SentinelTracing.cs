using System.Diagnostics;

namespace SentinelSync.Replication;

/// <summary>
/// The pipeline's traces: ActivitySource <c>SentinelSync.Pipeline</c>. Spans cost nothing unless a listener
/// (the silo's OTLP exporter, when an endpoint is configured) is attached, so stages may start them freely.
/// </summary>
public static class SentinelTracing
{
    public const string SourceName = "SentinelSync.Pipeline";

    /// <summary>Span attribute: the pipeline's name from the configuration.</summary>
    public const string PipelineAttribute = "sentinel.pipeline";

    /// <summary>Span attribute: the table, <c>schema.table</c>.</summary>
    public const string TableAttribute = "sentinel.table";

    /// <summary>Span attribute: rows in the batch the span covers.</summary>
    public const string RowsAttribute = "sentinel.rows";

    public static ActivitySource Source { get; } = new(SourceName, typeof(SentinelTracing).Assembly.GetName().Version?.ToString());
}
