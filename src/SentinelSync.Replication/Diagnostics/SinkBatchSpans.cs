using System.Diagnostics;

namespace SentinelSync.Replication.Diagnostics;

/// <summary>
/// The <see cref="SentinelTracing.BatchSpanName"/> spans of the batches one sink applies in one destination
/// transaction (the sink merges batches queued behind each other). Each span is a child of its batch's capture
/// span (the traceparent the batch carries), starts at the capture and ends when the transaction committed or
/// failed for good, so it measures the batch's whole trip to this sink. Created only when someone listens; the
/// sink's worker is its only user.
/// </summary>
internal sealed class SinkBatchSpans : IDisposable
{
    private readonly (ChangeBatch Batch, Activity Span)[] _spans;
    private readonly HashSet<Activity> _deadLettered = [];
    private bool _finished;

    private SinkBatchSpans((ChangeBatch, Activity)[] spans) => _spans = spans;

    /// <summary>Starts a span per batch in <paramref name="batches"/> (in position order); null when none is sampled.</summary>
    public static SinkBatchSpans? Start(string pipeline, string sink, IReadOnlyList<ChangeBatch>? batches, int transactionRows)
    {
        if (batches is null || !SentinelTracing.Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var spans = new List<(ChangeBatch, Activity)>(batches.Count);
        foreach (var batch in batches)
        {
            // A batch without trace context (from a source that does not trace) starts its own trace, when the
            // sink took it; Activity.Current is cleared so it does not become the child of the previous span.
            Activity.Current = null;
            var parent = batch.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
            var span = SentinelTracing.Source.StartActivity(SentinelTracing.BatchSpanName, ActivityKind.Consumer, parent, startTime: batch.CapturedAt ?? default);
            if (span is null)
            {
                continue;
            }

            if (span.IsAllDataRequested)
            {
                span.SetTag(SentinelTracing.PipelineAttribute, pipeline);
                span.SetTag(SentinelTracing.TableAttribute, batch.Table.ToString());
                span.SetTag(SentinelTracing.SinkAttribute, sink);
                span.SetTag(SentinelTracing.RowsAttribute, batch.Count);
                span.SetTag(SentinelTracing.PositionAttribute, batch.Through.ToString());
                span.SetTag(SentinelTracing.TransactionRowsAttribute, transactionRows);
            }

            spans.Add((batch, span));
        }

        // The spans outlive this call and are ended explicitly; the worker's flow keeps what it had.
        Activity.Current = previous;
        return spans.Count == 0 ? null : new SinkBatchSpans([.. spans]);
    }

    /// <summary>A destination transaction carrying these batches failed and is retried: an event on every span.</summary>
    public void Retried(int attempt, Exception error, bool transient)
    {
        foreach (var (_, span) in _spans)
        {
            if (span.IsAllDataRequested)
            {
                span.AddEvent(new ActivityEvent(SentinelTracing.RetryEventName, tags: new ActivityTagsCollection
                {
                    [SentinelTracing.AttemptAttribute] = attempt,
                    [SentinelTracing.TransientAttribute] = transient,
                    [SentinelTracing.ErrorAttribute] = error.Message,
                }));
            }
        }
    }

    /// <summary>A change went to the dead-letter queue: the span of the batch it came in is an error.</summary>
    public void DeadLettered(RowChange change, Exception error)
    {
        // Batches are in position order and each covers the changes up to its Through.
        var span = Array.Find(_spans, s => change.Position <= s.Batch.Through).Span ?? _spans[^1].Span;
        _deadLettered.Add(span);
        span.SetStatus(ActivityStatusCode.Error, error.Message);
    }

    /// <summary>The destination transaction committed (what was not dead-lettered is applied).</summary>
    public void Committed() => Finish(null, null);

    /// <summary>The batches were not applied: the sink was fenced, stopped, or failed unexpectedly.</summary>
    public void Failed(Exception error, string outcome) => Finish(error, outcome);

    /// <summary>Ends every span; one neither committed nor failed ends as an error (the sink stopped meanwhile).</summary>
    public void Dispose()
    {
        Finish(null, "stopped");
        foreach (var (_, span) in _spans)
        {
            span.Stop();
        }
    }

    private void Finish(Exception? error, string? outcome)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        foreach (var (_, span) in _spans)
        {
            if (error is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, error.Message);
                span.AddException(error);
            }
            else if (outcome is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, "the sink stopped before the batch was committed");
            }

            span.SetTag(SentinelTracing.OutcomeAttribute, outcome ?? (_deadLettered.Contains(span) ? "dead_lettered" : "committed"));
        }
    }
}
