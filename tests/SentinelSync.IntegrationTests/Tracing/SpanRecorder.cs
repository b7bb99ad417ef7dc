using System.Collections.Concurrent;
using System.Diagnostics;
using SentinelSync.Replication;

namespace SentinelSync.IntegrationTests.Tracing;

/// <summary>
/// Listens to <see cref="SentinelTracing.Source"/> in this process and keeps the ended spans of one table (other
/// tests of the process may trace other tables), recording everything.
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _ended = new();
    private readonly ActivityListener _listener;

    public SpanRecorder(string table)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SentinelTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (span.GetTagItem(SentinelTracing.TableAttribute) as string == table)
                {
                    _ended.Enqueue(span);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Captures => [.. _ended.Where(s => s.OperationName == SentinelTracing.CaptureSpanName)];

    /// <summary>The ended batch spans of <paramref name="sink"/>.</summary>
    public IReadOnlyList<Activity> Batches(string sink) =>
        [.. _ended.Where(s => s.OperationName == SentinelTracing.BatchSpanName && s.GetTagItem(SentinelTracing.SinkAttribute) as string == sink)];

    public static long Rows(Activity span) => Convert.ToInt64(span.GetTagItem(SentinelTracing.RowsAttribute), System.Globalization.CultureInfo.InvariantCulture);

    public static DateTime End(Activity span) => span.StartTimeUtc + span.Duration;

    public static IEnumerable<ActivityEvent> Retries(Activity span) => span.Events.Where(e => e.Name == SentinelTracing.RetryEventName);

    public static string Describe(IEnumerable<Activity> spans) =>
        string.Join("\n", spans.Select(s => $"{s.OperationName} {s.TraceId}/{s.SpanId} parent {s.ParentSpanId} {s.StartTimeUtc:HH:mm:ss.fff}+{s.Duration.TotalMilliseconds:F0}ms {s.Status} '{s.StatusDescription}' "
            + string.Join(" ", s.TagObjects.Select(t => $"{t.Key}={t.Value}"))));

    public void Dispose() => _listener.Dispose();
}
