using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using SentinelSync.Configuration;
using SentinelSync.Hosting;
using SentinelSync.Replication;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Tracing;

/// <summary>
/// A span per batch and sink, from capture to the sink's commit: a silo in this process (so an ActivityListener
/// sees its spans), and the real <c>sentinel run</c> exporting to an OTLP receiver the test hosts.
/// </summary>
public sealed class PipelineTracingTests(ITestOutputHelper output)
{
    private const string Table = "public.traced";
    private const string SelectLockWaiters = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";

    [Fact]
    public async Task Each_batch_has_one_trace_with_a_span_per_sink_from_capture_to_that_sinks_commit()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        using var spans = new SpanRecorder(Table);

        // The snapshot (5 rows), then three streamed transactions.
        await using var silo = await StartSiloOnSeededTableAsync(scenario, seedRows: 5);
        await scenario.Source.ExecuteAsync("INSERT INTO traced SELECT g, 'one ' || g FROM generate_series(6, 15) g");
        await scenario.Source.ExecuteAsync("INSERT INTO traced SELECT g, 'two ' || g FROM generate_series(16, 35) g");
        await scenario.Source.ExecuteAsync("INSERT INTO traced SELECT g, 'three ' || g FROM generate_series(36, 65) g");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("traced", "id"));
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(60), "traced", "id", ["name"], []);
        string[] sinks = [PipelineScenario.SinkName, PipelineScenario.ClickHouseSinkName];
        await Eventually.WaitAsync(
            () => Task.FromResult(sinks.All(sink => spans.Batches(sink).Sum(SpanRecorder.Rows) == 65)),
            TimeSpan.FromSeconds(10),
            () => $"batch spans of both sinks covering the 65 rows; ended spans:\n{SpanRecorder.Describe(spans.Captures.Concat(sinks.SelectMany(spans.Batches)))}");

        var captures = spans.Captures;
        captures.Sum(SpanRecorder.Rows).ShouldBe(65, SpanRecorder.Describe(captures));
        captures.Count(c => c.GetTagItem(SentinelTracing.PhaseAttribute) as string == "snapshot").ShouldBe(1, "the 5 seeded rows are one snapshot batch");
        captures.Count(c => c.GetTagItem(SentinelTracing.PhaseAttribute) as string == "streaming").ShouldBe(3, "one batch per streamed transaction");
        foreach (var capture in captures)
        {
            capture.ParentSpanId.ShouldBe(default, "a capture span is the root of its batch's trace");
            capture.GetTagItem(SentinelTracing.PipelineAttribute).ShouldBe(PipelineScenario.Pipeline);
            capture.Status.ShouldBe(ActivityStatusCode.Unset);
            var children = sinks.SelectMany(spans.Batches).Where(b => b.ParentSpanId == capture.SpanId).ToList();
            var described = SpanRecorder.Describe(children.Prepend(capture));
            children.Select(c => c.GetTagItem(SentinelTracing.SinkAttribute)).Order().ShouldBe(sinks.Order(), described);
            foreach (var batch in children)
            {
                batch.TraceId.ShouldBe(capture.TraceId, described);
                batch.StartTimeUtc.ShouldBe(capture.StartTimeUtc, "a sink's span starts when the source captured the batch");
                SpanRecorder.End(batch).ShouldBeGreaterThanOrEqualTo(SpanRecorder.End(capture), "the sink commits after the source queued the batch");
                batch.Duration.ShouldBeGreaterThan(TimeSpan.Zero);
                batch.GetTagItem(SentinelTracing.PipelineAttribute).ShouldBe(PipelineScenario.Pipeline);
                SpanRecorder.Rows(batch).ShouldBe(SpanRecorder.Rows(capture));
                batch.GetTagItem(SentinelTracing.PositionAttribute).ShouldBe(capture.GetTagItem(SentinelTracing.PositionAttribute));
                batch.GetTagItem(SentinelTracing.OutcomeAttribute).ShouldBe("committed", described);
                batch.Status.ShouldBe(ActivityStatusCode.Unset, described);
                SpanRecorder.Retries(batch).ShouldBeEmpty(described);
            }
        }

        // Hold the Postgres destination's table: the batch waits at that sink only; cut the waiting connection once
        // (a transient failure, retried), then let it through. Its span must end at that commit, not before.
        DateTime released;
        await using (var blocker = await scenario.Destination.OpenConnectionAsync())
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var lockTable = new Npgsql.NpgsqlCommand("LOCK TABLE traced IN EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            await scenario.Source.ExecuteAsync("INSERT INTO traced VALUES (1000, 'held')");
            await WaitForLockWaiterAsync(scenario, "the Postgres sink to wait for the locked table");
            await scenario.Destination.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM ({SelectLockWaiters}) w");
            await WaitForLockWaiterAsync(scenario, "the Postgres sink to retry and wait for the lock again");
            // ClickHouse takes the row on its own, but no sooner than clickhouse.minInsertInterval after its last
            // insert: hold Postgres until its span ended, or the hold can be the shorter of the two.
            await Eventually.WaitAsync(
                () => Task.FromResult(spans.Batches(PipelineScenario.ClickHouseSinkName).Sum(SpanRecorder.Rows) == 66),
                TimeSpan.FromSeconds(30),
                () => $"the ClickHouse sink's span of the held row; ended spans:\n{SpanRecorder.Describe(spans.Batches(PipelineScenario.ClickHouseSinkName))}");
            released = DateTime.UtcNow;
            await transaction.RollbackAsync();
        }

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("traced", "id"));
        Activity? held = null;
        await Eventually.WaitAsync(
            () => Task.FromResult((held = spans.Batches(PipelineScenario.SinkName).SingleOrDefault(s => SpanRecorder.Retries(s).Any())) is not null),
            TimeSpan.FromSeconds(10),
            () => $"a span of the held batch with a retry event; ended spans:\n{SpanRecorder.Describe(spans.Batches(PipelineScenario.SinkName))}");
        var heldDescribed = SpanRecorder.Describe([held!]);
        output.WriteLine(heldDescribed);
        SpanRecorder.Rows(held!).ShouldBe(1);
        SpanRecorder.End(held!).ShouldBeGreaterThanOrEqualTo(released, "the span ends when the sink committed, after the lock was released: " + heldDescribed);
        held!.GetTagItem(SentinelTracing.OutcomeAttribute).ShouldBe("committed");
        held.Status.ShouldBe(ActivityStatusCode.Unset, "a retried and then committed batch is not an error");
        var retry = SpanRecorder.Retries(held).First();
        retry.Tags.ShouldContain(t => t.Key == SentinelTracing.TransientAttribute && Equals(t.Value, true), heldDescribed);
        retry.Tags.ShouldContain(t => t.Key == SentinelTracing.AttemptAttribute && Equals(t.Value, 1), heldDescribed);

        var sibling = spans.Batches(PipelineScenario.ClickHouseSinkName).Single(s => s.TraceId == held.TraceId);
        sibling.ParentSpanId.ShouldBe(held.ParentSpanId, "both sinks' spans of a batch hang under its capture span");
        SpanRecorder.End(sibling).ShouldBeLessThan(released, "ClickHouse committed the batch while Postgres was held: each sink's span ends at its own commit");
        await silo.StopAsync();
    }

    [Fact]
    public async Task A_dead_lettered_batch_has_an_error_span_with_the_destinations_message_and_its_attempts_as_events()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        using var spans = new SpanRecorder(Table);
        await using var silo = await StartSiloOnSeededTableAsync(scenario, seedRows: 1);

        await scenario.Destination.ExecuteAsync("ALTER TABLE traced ADD CONSTRAINT small_ids CHECK (id < 1000)");
        await scenario.Source.ExecuteAsync("INSERT INTO traced VALUES (2000, 'poison')");
        await scenario.Source.ExecuteAsync("INSERT INTO traced VALUES (2, 'fine')");
        Activity? poisoned = null;
        await Eventually.WaitAsync(
            () => Task.FromResult((poisoned = spans.Batches(PipelineScenario.SinkName).SingleOrDefault(s => s.Status == ActivityStatusCode.Error)) is not null
                && spans.Batches(PipelineScenario.SinkName).Sum(SpanRecorder.Rows) == 3),
            TimeSpan.FromSeconds(60),
            () => $"an error span for the poison row and spans for all 3 rows; ended spans:\n{SpanRecorder.Describe(spans.Batches(PipelineScenario.SinkName))}");

        var described = SpanRecorder.Describe([poisoned!]);
        output.WriteLine(described);
        poisoned!.StatusDescription.ShouldNotBeNull().ShouldContain("small_ids");
        poisoned.GetTagItem(SentinelTracing.OutcomeAttribute).ShouldBe("dead_lettered");
        SpanRecorder.Rows(poisoned).ShouldBe(1);
        var retries = SpanRecorder.Retries(poisoned).ToList();
        retries.Count.ShouldBeGreaterThanOrEqualTo(2, "a permanent failure is tried three times, each failed attempt before the last one is an event: " + described);
        retries.ShouldAllBe(e => e.Tags.Any(t => t.Key == SentinelTracing.TransientAttribute && Equals(t.Value, false)));
        retries.ShouldAllBe(e => e.Tags.Any(t => t.Key == SentinelTracing.ErrorAttribute && ((string)t.Value!).Contains("small_ids")));
        spans.Batches(PipelineScenario.SinkName).Where(s => s != poisoned).ShouldAllBe(s => s.Status == ActivityStatusCode.Unset && (string?)s.GetTagItem(SentinelTracing.OutcomeAttribute) == "committed");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM traced WHERE id = 2")).ShouldBe(1);
        await silo.StopAsync();
    }

    [Fact]
    public async Task The_sentinel_process_exports_batch_spans_to_the_configured_OTLP_endpoint_over_http_protobuf()
    {
        await using var receiver = OtlpReceiver.Start();
        await using var scenario = await PipelineScenario.CreateAsync();
        await File.AppendAllTextAsync(scenario.ConfigFile, $"\ntelemetry: {{ otlpEndpoint: \"{receiver.Endpoint}\" }}\n");
        await scenario.Source.ExecuteAsync("CREATE TABLE traced (id bigint PRIMARY KEY, name text NOT NULL)");
        await using var sentinel = await scenario.StartSentinelAsync(new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" });

        await scenario.Source.ExecuteAsync("INSERT INTO traced SELECT g, 'exported ' || g FROM generate_series(1, 10) g");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("traced", "id"));

        // The exporter sends every few seconds; one request must hold a sink's batch span of this table.
        string[] expected = [SentinelTracing.BatchSpanName, SentinelTracing.SinkAttribute, PipelineScenario.SinkName, Table, SentinelTracing.SourceName];
        await Eventually.WaitAsync(
            () => Task.FromResult(receiver.Requests.Any(r => expected.All(text => Contains(r.Body, text)))),
            TimeSpan.FromSeconds(30),
            () => $"an OTLP export containing {string.Join(", ", expected)}; {receiver.Requests.Count} requests: "
                + string.Join(", ", receiver.Requests.Select(r => $"{r.Path} {r.ContentType} {r.Body.Length} bytes")) + $"\nlog:\n{sentinel.Log}");

        var export = receiver.Requests.First(r => expected.All(text => Contains(r.Body, text)));
        export.Path.ShouldBe("/v1/traces");
        export.ContentType.ShouldBe("application/x-protobuf");
        receiver.Requests.ShouldContain(r => Contains(r.Body, SentinelTracing.CaptureSpanName), "the capture spans are exported too");
        await sentinel.WaitForLogAsync("Exporting traces of SentinelSync.Pipeline over OTLP");
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
    }

    /// <summary>An OTLP protobuf body holds span names and attribute values as UTF-8 strings.</summary>
    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>Creates the table with <paramref name="seedRows"/> rows, starts a silo in this process and waits until its snapshot arrived.</summary>
    private static async Task<WebApplication> StartSiloOnSeededTableAsync(PipelineScenario scenario, int seedRows)
    {
        await scenario.Source.ExecuteAsync($"CREATE TABLE traced (id bigint PRIMARY KEY, name text NOT NULL); INSERT INTO traced SELECT g, 'seed ' || g FROM generate_series(1, {seedRows}) g");
        var silo = SiloHost.Build(SentinelConfigLoader.Load(scenario.ConfigFile));
        try
        {
            await silo.StartAsync();
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("traced", "id"));
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    private static Task WaitForLockWaiterAsync(PipelineScenario scenario, string what) =>
        Eventually.WaitAsync(
            async () => await scenario.Destination.ScalarAsync<long>($"SELECT count(*) FROM ({SelectLockWaiters}) w") > 0,
            TimeSpan.FromSeconds(30),
            () => what);
}
