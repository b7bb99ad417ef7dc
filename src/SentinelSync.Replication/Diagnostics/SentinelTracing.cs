using System.Diagnostics;

namespace SentinelSync.Replication;

/// <summary>
/// The pipeline's traces: ActivitySource <c>SentinelSync.Pipeline</c>. Spans cost nothing unless a listener
/// (the silo's OTLP exporter, when an endpoint is configured) is attached, so stages may start them freely.
/// </summary>
/// <remarks>
/// Each batch the source reads is one trace: a short <see cref="CaptureSpanName"/> span at the source (from
/// capture until the batch is queued at every sink) and, as its children, one <see cref="BatchSpanName"/> span
/// per sink that starts at the capture and ends when that sink's destination transaction committed the batch.
/// </remarks>
public static class SentinelTracing
{
    public const string SourceName = "SentinelSync.Pipeline";

    /// <summary>Span at the source: a batch captured and queued at every sink of its table.</summary>
    public const string CaptureSpanName = "sentinel.capture";

    /// <summary>Span per batch and sink: from the capture to that sink's commit (or dead letter, or failure).</summary>
    public const string BatchSpanName = "sentinel.batch";

    /// <summary>Event on a <see cref="BatchSpanName"/> span: a destination transaction carrying the batch failed and is retried.</summary>
    public const string RetryEventName = "sentinel.retry";

    /// <summary>Span attribute: the pipeline's name from the configuration.</summary>
    public const string PipelineAttribute = "sentinel.pipeline";

    /// <summary>Span attribute: the table, <c>schema.table</c>.</summary>
    public const string TableAttribute = "sentinel.table";

    /// <summary>Span attribute: rows in the batch the span covers.</summary>
    public const string RowsAttribute = "sentinel.rows";

    /// <summary>Span attribute: the sink's name from the configuration.</summary>
    public const string SinkAttribute = "sentinel.sink";

    /// <summary>Span attribute: the position the batch covers (<see cref="ChangeBatch.Through"/>), <c>16/B374D848#3</c>.</summary>
    public const string PositionAttribute = "sentinel.position";

    /// <summary>Capture span attribute: the source's phase, <c>snapshot</c> or <c>streaming</c>.</summary>
    public const string PhaseAttribute = "sentinel.phase";

    /// <summary>
    /// Batch span attribute: rows in the destination transaction that carried the batch (a sink merges batches
    /// queued behind each other into one transaction).
    /// </summary>
    public const string TransactionRowsAttribute = "sentinel.transaction.rows";

    /// <summary>Batch span attribute: <c>committed</c>, <c>dead_lettered</c>, <c>fenced</c>, <c>failed</c> or <c>stopped</c>.</summary>
    public const string OutcomeAttribute = "sentinel.outcome";

    /// <summary>Retry event attribute: the attempt that failed (1 for the first).</summary>
    public const string AttemptAttribute = "sentinel.attempt";

    /// <summary>Retry event attribute: whether the failure was transient (retried without limit) or permanent.</summary>
    public const string TransientAttribute = "sentinel.transient";

    /// <summary>Retry event attribute: the failure's message.</summary>
    public const string ErrorAttribute = "sentinel.error";

    public static ActivitySource Source { get; } = new(SourceName, typeof(SentinelTracing).Assembly.GetName().Version?.ToString());
}
