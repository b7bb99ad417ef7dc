using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using SentinelSync.Replication;
using SentinelSync.Replication.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using SentinelSync.Testing;

namespace SentinelSync.Tests.Diagnostics;

/// <summary>
/// The capture and sink batch spans without a pipeline: what a batch carries, the zero-cost path, and how a
/// sink's transaction outcome lands on the spans of the batches it merged. In the tracing collection, so no
/// other test's listener is attached meanwhile.
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class BatchTracingTests
{
    private static readonly TableSchema s_items = ChangeBatchBuilder.Table("items", 1, ChangeBatchBuilder.Key("id", "integer"), ChangeBatchBuilder.Column("name", "text"));

    [Fact]
    public void Without_a_listener_a_batch_is_neither_stamped_nor_copied_and_no_span_exists()
    {
        var batch = new ChangeBatchBuilder(s_items).Insert("1", "a").Build();

        CaptureSpan.Start("p", "streaming", batch, out var capture).ShouldBeSameAs(batch);
        capture.ShouldBeNull();
        SinkBatchSpans.Start("p", "warehouse", [batch], 1).ShouldBeNull();
    }

    [Fact]
    public void A_batch_carries_its_trace_context_over_the_wire_and_one_without_it_still_deserializes()
    {
        var serializer = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(ChangeBatch).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();
        var batch = new ChangeBatchBuilder(s_items).Insert("1", "a").Build() with
        {
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            CapturedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        };

        var back = serializer.Deserialize<ChangeBatch>(serializer.SerializeToArray(batch))!;
        back.TraceParent.ShouldBe(batch.TraceParent);
        back.CapturedAt.ShouldBe(batch.CapturedAt);
        back.Changes.Single().Values.ShouldBe(batch.Changes.Single().Values);

        // A batch from a source that does not trace.
        var old = serializer.Deserialize<ChangeBatch>(serializer.SerializeToArray(batch with { TraceParent = null, CapturedAt = null }))!;
        old.TraceParent.ShouldBeNull();
        old.CapturedAt.ShouldBeNull();
        old.Through.ShouldBe(batch.Through);
        old.Changes.Count.ShouldBe(1);
    }

    [Fact]
    public void Merged_batches_get_a_span_each_under_their_capture_with_retries_on_all_and_the_dead_letter_on_its_own()
    {
        using var recorder = new Recorder();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a").Insert("2", "b").Insert("3", "c");
        var first = CaptureSpan.Start("p", "streaming", builder.Build(0, 2), out var firstCapture);
        var second = CaptureSpan.Start("p", "streaming", builder.Build(2, 1), out var secondCapture);
        firstCapture!.Stop();
        secondCapture!.Stop();
        first.TraceParent.ShouldBe(firstCapture.Id);
        first.CapturedAt.ShouldBe(firstCapture.StartTimeUtc);

        using (var spans = SinkBatchSpans.Start("p", "warehouse", [first, second], 3).ShouldNotBeNull())
        {
            spans.Retried(1, new TimeoutException("destination slow"), transient: true);
            spans.DeadLettered(builder.Changes[2], new InvalidOperationException("violates check constraint cap"));
            spans.Committed();
        }

        var batches = recorder.Ended.Where(s => s.OperationName == SentinelTracing.BatchSpanName).OrderBy(s => (int)s.GetTagItem(SentinelTracing.RowsAttribute)!).ToList();
        batches.Count.ShouldBe(2);
        var (two, one) = (batches[1], batches[0]);
        two.ParentSpanId.ShouldBe(firstCapture.SpanId);
        two.TraceId.ShouldBe(firstCapture.TraceId);
        two.StartTimeUtc.ShouldBe(firstCapture.StartTimeUtc);
        one.ParentSpanId.ShouldBe(secondCapture.SpanId);
        two.GetTagItem(SentinelTracing.TransactionRowsAttribute).ShouldBe(3);
        two.GetTagItem(SentinelTracing.SinkAttribute).ShouldBe("warehouse");
        two.GetTagItem(SentinelTracing.TableAttribute).ShouldBe("public.items");
        two.GetTagItem(SentinelTracing.PositionAttribute).ShouldBe(builder.Changes[1].Position.ToString());
        batches.ShouldAllBe(s => s.Events.Count(e => e.Name == SentinelTracing.RetryEventName) == 1);

        two.Status.ShouldBe(ActivityStatusCode.Unset);
        two.GetTagItem(SentinelTracing.OutcomeAttribute).ShouldBe("committed");
        one.Status.ShouldBe(ActivityStatusCode.Error);
        one.StatusDescription.ShouldBe("violates check constraint cap");
        one.GetTagItem(SentinelTracing.OutcomeAttribute).ShouldBe("dead_lettered");
    }

    [Fact]
    public void A_batch_the_sink_never_committed_ends_as_an_error_and_one_without_context_starts_its_own_trace()
    {
        using var recorder = new Recorder();
        var untraced = new ChangeBatchBuilder(s_items).Insert("1", "a").Build();

        using (var spans = SinkBatchSpans.Start("p", "warehouse", [untraced], 1).ShouldNotBeNull())
        {
            spans.Failed(new OperationCanceledException("stopping"), "stopped");
        }

        var span = recorder.Ended.Single();
        span.ParentSpanId.ShouldBe(default);
        span.Status.ShouldBe(ActivityStatusCode.Error);
        span.StatusDescription.ShouldBe("stopping");
        span.GetTagItem(SentinelTracing.OutcomeAttribute).ShouldBe("stopped");
        span.Events.ShouldContain(e => e.Name == "exception");
    }

    private sealed class Recorder : IDisposable
    {
        private readonly ActivityListener _listener;

        public Recorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == SentinelTracing.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Ended.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public ConcurrentQueue<Activity> Ended { get; } = new();

        public void Dispose() => _listener.Dispose();
    }
}
