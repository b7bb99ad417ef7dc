using System.Diagnostics;

namespace SentinelSync.Replication.Diagnostics;

/// <summary>The source's side of a batch's trace: the capture span and the context the batch carries to the sinks.</summary>
internal static class CaptureSpan
{
    /// <summary>
    /// Starts the capture span of a batch the source just read and returns the batch stamped with its
    /// traceparent and start time, which the sinks' spans use as parent and start. When nobody listens (or the
    /// span is not created) the batch is returned as it is and <paramref name="span"/> is null: no allocation,
    /// no formatting.
    /// </summary>
    public static ChangeBatch Start(string pipeline, string phase, ChangeBatch batch, out Activity? span)
    {
        span = null;
        // A batch without rows (the end of a table's snapshot, which only builds its key) captured nothing.
        if (batch.Count == 0 || !SentinelTracing.Source.HasListeners())
        {
            return batch;
        }

        // Every batch is a trace of its own: never a child of whatever happens to be current on the source's flow.
        // (Changing Activity.Current here only affects this call's async flow.)
        Activity.Current = null;
        span = SentinelTracing.Source.StartActivity(SentinelTracing.CaptureSpanName, ActivityKind.Producer);
        if (span is null)
        {
            return batch;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(SentinelTracing.PipelineAttribute, pipeline);
            span.SetTag(SentinelTracing.TableAttribute, batch.Table.ToString());
            span.SetTag(SentinelTracing.RowsAttribute, batch.Count);
            span.SetTag(SentinelTracing.PositionAttribute, batch.Through.ToString());
            span.SetTag(SentinelTracing.PhaseAttribute, phase);
        }

        return span.IdFormat == ActivityIdFormat.W3C
            ? batch with { TraceParent = span.Id, CapturedAt = span.StartTimeUtc }
            : batch with { CapturedAt = span.StartTimeUtc };
    }

    /// <summary>Marks the capture span failed (the batch could not be queued at its sinks).</summary>
    public static void Fail(Activity span, Exception error)
    {
        span.SetStatus(ActivityStatusCode.Error, error.Message);
        span.AddException(error);
    }
}
