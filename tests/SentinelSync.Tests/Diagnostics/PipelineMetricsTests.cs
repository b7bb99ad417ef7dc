using System.Diagnostics;
using SentinelSync.Replication;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Testing;
using SentinelSync.Testing.Metrics;

namespace SentinelSync.Tests.Diagnostics;

/// <summary>
/// The pipeline instruments (<see cref="PipelineInstruments"/>) as a scraper sees them: the names, types, labels and
/// buckets that dashboards and alerts were written against under the hand-written exporter, unchanged.
/// </summary>
public sealed class PipelineMetricsTests
{
    private static readonly string[] s_secondsBuckets = ["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];

    [Fact]
    public async Task Changes_received_applied_and_dead_lettered_are_counters_by_pipeline_sink_and_table_and_move()
    {
        await using var app = await MetricsApp.StartAsync();
        var (pipeline, sink) = Names();
        var orders = new TableName("public", "orders");
        var lines = new TableName("shop", "order_lines");

        PipelineInstruments.Received(pipeline, orders, 7);
        PipelineInstruments.Received(pipeline, lines, 2);
        PipelineInstruments.Applied(pipeline, sink, orders, 7, Stopwatch.GetTimestamp());
        PipelineInstruments.DeadLettered(pipeline, sink, lines);
        var first = await app.ScrapeAsync();
        PipelineInstruments.Received(pipeline, orders, 5);
        PipelineInstruments.Applied(pipeline, sink, orders, 5, Stopwatch.GetTimestamp());
        var second = await app.ScrapeAsync();

        first.Family("sentinel_pipeline_changes_received_total").Type.ShouldBe("counter");
        first.Value("sentinel_pipeline_changes_received_total", ("pipeline", pipeline), ("table", "public.orders")).ShouldBe(7);
        first.Value("sentinel_pipeline_changes_received_total", ("pipeline", pipeline), ("table", "shop.order_lines")).ShouldBe(2);
        first.Family("sentinel_sink_changes_applied_total").Type.ShouldBe("counter");
        first.Value("sentinel_sink_changes_applied_total", ("pipeline", pipeline), ("sink", sink), ("table", "public.orders")).ShouldBe(7);
        first.Family("sentinel_sink_changes_dead_lettered_total").Type.ShouldBe("counter");
        first.Value("sentinel_sink_changes_dead_lettered_total", ("pipeline", pipeline), ("sink", sink), ("table", "shop.order_lines")).ShouldBe(1);
        second.Value("sentinel_pipeline_changes_received_total", ("pipeline", pipeline), ("table", "public.orders")).ShouldBe(12);
        second.Value("sentinel_sink_changes_applied_total", ("pipeline", pipeline), ("sink", sink), ("table", "public.orders")).ShouldBe(12);
        second.Value("sentinel_sink_changes_dead_lettered_total", ("pipeline", pipeline), ("sink", sink), ("table", "shop.order_lines")).ShouldBe(1);
    }

    [Fact]
    public async Task Batch_size_and_apply_duration_are_histograms_by_sink_with_their_former_buckets()
    {
        await using var app = await MetricsApp.StartAsync();
        var (pipeline, sink) = Names();
        var table = new TableName("public", "orders");

        PipelineInstruments.Applied(pipeline, sink, table, 1, Stopwatch.GetTimestamp());
        PipelineInstruments.Applied(pipeline, sink, table, 900, Stopwatch.GetTimestamp());
        PipelineInstruments.Applied(pipeline, sink, table, 10_000, Stopwatch.GetTimestamp() - Stopwatch.Frequency * 20);
        var parsed = await app.ScrapeAsync();

        parsed.Family("sentinel_sink_batch_size").Type.ShouldBe("histogram");
        Buckets(parsed, "sentinel_sink_batch_size", sink).ShouldBe(["1", "10", "100", "1000", "5000", "10000", "+Inf"]);
        parsed.Value("sentinel_sink_batch_size_bucket", ("sink", sink), ("le", "1")).ShouldBe(1);
        parsed.Value("sentinel_sink_batch_size_bucket", ("sink", sink), ("le", "1000")).ShouldBe(2);
        parsed.Value("sentinel_sink_batch_size_bucket", ("sink", sink), ("le", "10000")).ShouldBe(3);
        parsed.Value("sentinel_sink_batch_size_sum", ("sink", sink)).ShouldBe(10_901);
        parsed.Value("sentinel_sink_batch_size_count", ("sink", sink)).ShouldBe(3);

        parsed.Family("sentinel_sink_apply_duration_seconds").Type.ShouldBe("histogram");
        Buckets(parsed, "sentinel_sink_apply_duration_seconds", sink).ShouldBe(s_secondsBuckets);
        parsed.Value("sentinel_sink_apply_duration_seconds_count", ("sink", sink)).ShouldBe(3);
        parsed.Value("sentinel_sink_apply_duration_seconds_bucket", ("sink", sink), ("le", "10")).ShouldBe(2, "the batch started 20 s ago is only in +Inf");
        parsed.Value("sentinel_sink_apply_duration_seconds_sum", ("sink", sink)).ShouldBeGreaterThanOrEqualTo(20);
    }

    [Fact]
    public async Task Receive_and_commit_delays_are_histograms_with_one_measurement_per_source_transaction()
    {
        await using var app = await MetricsApp.StartAsync();
        var (pipeline, sink) = Names();
        var now = DateTimeOffset.UtcNow;
        var built = new ChangeBatchBuilder(ChangeBatchBuilder.Table("orders", 1, ChangeBatchBuilder.Key("id", "integer")))
            .Insert("1").Insert("2").Insert("3").Insert("4").Build();
        var batch = built with
        {
            Changes =
            [
                built.Changes[0] with { TransactionId = 10, CommitTime = now.AddSeconds(-40) },
                built.Changes[1] with { TransactionId = 10, CommitTime = now.AddSeconds(-40) },
                built.Changes[2] with { TransactionId = 11, CommitTime = now.AddSeconds(-2) },
                built.Changes[3], // no commit time (a snapshot row, for instance): not measured
            ],
        };

        PipelineInstruments.SourceRead(pipeline, now.AddSeconds(-2));
        PipelineInstruments.SourceRead(pipeline, now.AddSeconds(5)); // a source clock ahead of this silo's: 0, not negative
        PipelineInstruments.CommittedAtDestination(pipeline, sink, batch);
        var parsed = await app.ScrapeAsync();

        string[] buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "300", "900", "+Inf"];
        parsed.Family("sentinel_source_receive_delay_seconds").Type.ShouldBe("histogram");
        parsed.Samples("sentinel_source_receive_delay_seconds_bucket").Where(s => s.Labels["pipeline"] == pipeline).Select(s => s.Labels["le"]).ShouldBe(buckets);
        parsed.Value("sentinel_source_receive_delay_seconds_count", ("pipeline", pipeline)).ShouldBe(2);
        parsed.Value("sentinel_source_receive_delay_seconds_bucket", ("pipeline", pipeline), ("le", "0.005")).ShouldBe(1, "the commit ahead of the silo's clock counts as 0");
        parsed.Value("sentinel_source_receive_delay_seconds_bucket", ("pipeline", pipeline), ("le", "1")).ShouldBe(1);
        parsed.Value("sentinel_source_receive_delay_seconds_bucket", ("pipeline", pipeline), ("le", "2.5")).ShouldBe(2);
        parsed.Value("sentinel_source_receive_delay_seconds_sum", ("pipeline", pipeline)).ShouldBeInRange(2, 2.5);

        parsed.Family("sentinel_sink_commit_delay_seconds").Type.ShouldBe("histogram");
        parsed.Value("sentinel_sink_commit_delay_seconds_count", ("pipeline", pipeline), ("sink", sink)).ShouldBe(2, "two source transactions in the batch, one change without a commit time");
        parsed.Value("sentinel_sink_commit_delay_seconds_bucket", ("pipeline", pipeline), ("sink", sink), ("le", "30")).ShouldBe(1);
        parsed.Value("sentinel_sink_commit_delay_seconds_bucket", ("pipeline", pipeline), ("sink", sink), ("le", "60")).ShouldBe(2);
        parsed.Value("sentinel_sink_commit_delay_seconds_sum", ("pipeline", pipeline), ("sink", sink)).ShouldBeInRange(42, 43);
    }

    [Fact]
    public async Task Slot_lag_in_bytes_and_lag_in_seconds_are_gauges_by_pipeline_that_follow_the_last_value()
    {
        await using var app = await MetricsApp.StartAsync();
        var (pipeline, _) = Names();
        try
        {
            PipelineInstruments.Lag(pipeline, 4_096, 1.5);
            var first = await app.ScrapeAsync();
            PipelineInstruments.Lag(pipeline, 128, 0.25);
            var second = await app.ScrapeAsync();

            first.Family("sentinel_source_slot_lag_bytes").Type.ShouldBe("gauge");
            first.Value("sentinel_source_slot_lag_bytes", ("pipeline", pipeline)).ShouldBe(4_096);
            first.Family("sentinel_source_lag_seconds").Type.ShouldBe("gauge");
            first.Value("sentinel_source_lag_seconds", ("pipeline", pipeline)).ShouldBe(1.5);
            second.Value("sentinel_source_slot_lag_bytes", ("pipeline", pipeline)).ShouldBe(128);
            second.Value("sentinel_source_lag_seconds", ("pipeline", pipeline)).ShouldBe(0.25);
        }
        finally
        {
            PipelineInstruments.Forget(pipeline);
        }

        var forgotten = await app.ScrapeAsync();
        forgotten.Find("sentinel_source_slot_lag_bytes", ("pipeline", pipeline)).ShouldBeNull("a stopped pipeline's lag is no longer reported");
        forgotten.Find("sentinel_source_lag_seconds", ("pipeline", pipeline)).ShouldBeNull();
    }

    [Fact]
    public async Task A_scraper_asking_for_OpenMetrics_as_Prometheus_does_gets_the_same_text_format_0_0_4()
    {
        await using var app = await MetricsApp.StartAsync();
        var (pipeline, sink) = Names();
        var table = new TableName("public", "orders");
        PipelineInstruments.Received(pipeline, table, 3);
        PipelineInstruments.Applied(pipeline, sink, table, 3, Stopwatch.GetTimestamp());

        // Prometheus' own Accept header: OpenMetrics first, the text format as a fallback.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.TryAddWithoutValidation("Accept", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        using var response = await app.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        response.Content.Headers.ContentType!.ToString().ShouldBe("text/plain; version=0.0.4; charset=utf-8");
        var parsed = ExpositionParser.Parse(body);
        Buckets(parsed, "sentinel_sink_batch_size", sink).ShouldBe(["1", "10", "100", "1000", "5000", "10000", "+Inf"], "le as the former exporter wrote it, not OpenMetrics' 1.0");
        parsed.Families.Keys.ShouldNotContain(n => n.EndsWith("_created", StringComparison.Ordinal), "no OpenMetrics _created series");
        parsed.Value("sentinel_pipeline_changes_received_total", ("pipeline", pipeline), ("table", "public.orders")).ShouldBe(3);
    }

    private static (string Pipeline, string Sink) Names()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        return ($"p-{id}", $"s-{id}");
    }

    private static List<string> Buckets(ParsedExposition parsed, string histogram, string sink) =>
        [.. parsed.Samples(histogram + "_bucket").Where(s => s.Labels.GetValueOrDefault("sink") == sink).Select(s => s.Labels["le"])];
}
