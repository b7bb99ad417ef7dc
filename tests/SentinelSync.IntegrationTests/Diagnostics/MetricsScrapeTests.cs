using SentinelSync.Testing;
using SentinelSync.Testing.Metrics;

namespace SentinelSync.IntegrationTests.Diagnostics;

/// <summary>
/// <c>/metrics</c> of the real <c>sentinel run</c> process with a live pipeline, parsed as a Prometheus server would:
/// the pipeline metrics under their documented names and labels, counting exactly what was replicated, beside
/// the Npgsql, ASP.NET Core and runtime instrumentation.
/// </summary>
public sealed class MetricsScrapeTests
{
    private const string Table = "metered";

    [Fact]
    public async Task A_live_pipeline_counts_every_change_under_the_documented_names_and_the_counters_move()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync($"CREATE TABLE {Table} (id bigint PRIMARY KEY, name text NOT NULL)");
        await using var sentinel = await scenario.StartSentinelAsync();
        using var http = new HttpClient { BaseAddress = sentinel.Address };

        await InsertAsync(scenario, from: 1, to: 300);
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), (Table, "id"));
        var first = await ScrapeUntilAsync(http, sentinel, "the source's lag gauges of pipeline p", m => m.Find("sentinel_source_lag_seconds", ("pipeline", PipelineScenario.Pipeline)) is not null);

        first.Family("sentinel_pipeline_changes_received_total").Type.ShouldBe("counter");
        first.Value("sentinel_pipeline_changes_received_total", ("pipeline", "p"), ("table", $"public.{Table}")).ShouldBe(300);
        first.Family("sentinel_sink_changes_applied_total").Type.ShouldBe("counter");
        first.Value("sentinel_sink_changes_applied_total", ("pipeline", "p"), ("sink", PipelineScenario.SinkName), ("table", $"public.{Table}")).ShouldBe(300);
        first.Families.Keys.ShouldNotContain("sentinel_sink_changes_dead_lettered_total", "nothing was dead-lettered");
        first.Family("sentinel_sink_batch_size").Type.ShouldBe("histogram");
        first.Value("sentinel_sink_batch_size_sum", ("sink", PipelineScenario.SinkName)).ShouldBe(300);
        var batches = first.Value("sentinel_sink_batch_size_count", ("sink", PipelineScenario.SinkName));
        batches.ShouldBeInRange(1, 300);
        first.Family("sentinel_sink_apply_duration_seconds").Type.ShouldBe("histogram");
        first.Value("sentinel_sink_apply_duration_seconds_count", ("sink", PipelineScenario.SinkName)).ShouldBe(batches);

        // The first rows may have been copied by the snapshot (no source transaction to measure) or streamed.
        var readBefore = first.Find("sentinel_source_receive_delay_seconds_count", ("pipeline", "p"))?.Value ?? 0;
        var committedBefore = first.Find("sentinel_sink_commit_delay_seconds_count", ("pipeline", "p"), ("sink", PipelineScenario.SinkName))?.Value ?? 0;
        first.Family("sentinel_source_slot_lag_bytes").Type.ShouldBe("gauge");
        first.Value("sentinel_source_slot_lag_bytes", ("pipeline", "p")).ShouldBeGreaterThanOrEqualTo(0);
        first.Family("sentinel_source_lag_seconds").Type.ShouldBe("gauge");

        // The instrumentation beside the pipeline's own metrics.
        first.Samples("target_info").Single().Labels["service_instance_id"].ShouldBe("test-silo");
        first.Families.Keys.ShouldContain(n => n.StartsWith("db_client_", StringComparison.Ordinal), "Npgsql's metrics (control database, source, destination)");
        first.Family("http_server_request_duration_seconds").Type.ShouldBe("histogram");
        first.Families.Keys.ShouldContain(n => n.StartsWith("dotnet_", StringComparison.Ordinal), "the runtime's metrics");

        await InsertAsync(scenario, from: 301, to: 500);
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), (Table, "id"));
        var second = await ScrapeUntilAsync(http, sentinel, "500 changes applied", m => m.Find("sentinel_sink_changes_applied_total", ("pipeline", "p"), ("sink", PipelineScenario.SinkName), ("table", $"public.{Table}"))?.Value == 500);

        second.Value("sentinel_pipeline_changes_received_total", ("pipeline", "p"), ("table", $"public.{Table}")).ShouldBe(500);
        second.Value("sentinel_sink_batch_size_sum", ("sink", PipelineScenario.SinkName)).ShouldBe(500);
        second.Value("sentinel_sink_batch_size_count", ("sink", PipelineScenario.SinkName)).ShouldBeGreaterThan(batches);
        second.Family("sentinel_source_receive_delay_seconds").Type.ShouldBe("histogram");
        second.Value("sentinel_source_receive_delay_seconds_count", ("pipeline", "p")).ShouldBe(readBefore + 4, "four streamed source transactions, one measurement each");
        second.Value("sentinel_source_receive_delay_seconds_sum", ("pipeline", "p")).ShouldBeInRange(0, 60);
        second.Family("sentinel_sink_commit_delay_seconds").Type.ShouldBe("histogram");
        second.Value("sentinel_sink_commit_delay_seconds_count", ("pipeline", "p"), ("sink", PipelineScenario.SinkName)).ShouldBe(committedBefore + 4);
        second.Value("sentinel_sink_commit_delay_seconds_sum", ("pipeline", "p"), ("sink", PipelineScenario.SinkName)).ShouldBeInRange(0, 60);
        await File.WriteAllTextAsync("/tmp/metrics-sample.txt", await http.GetStringAsync("metrics"));
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
    }

    /// <summary>Three transactions, so the sink sees more than one batch.</summary>
    private static async Task InsertAsync(PipelineScenario scenario, int from, int to)
    {
        var third = (to - from + 1) / 3;
        for (var start = from; start <= to; start += third)
        {
            var end = Math.Min(start + third - 1, to);
            await scenario.Source.ExecuteAsync($"INSERT INTO {Table} SELECT g, 'row ' || g FROM generate_series({start}, {end}) g");
        }
    }

    /// <summary>Scrapes until <paramref name="ready"/> holds; every scrape must be a valid exposition.</summary>
    private static async Task<ParsedExposition> ScrapeUntilAsync(HttpClient http, SentinelProcess sentinel, string what, Func<ParsedExposition, bool> ready)
    {
        ParsedExposition? parsed = null;
        var body = "";
        await Eventually.WaitAsync(
            async () =>
            {
                body = await http.GetStringAsync("metrics");
                parsed = ExpositionParser.Parse(body);
                return ready(parsed);
            },
            TimeSpan.FromSeconds(30),
            () => $"/metrics showing {what}; last scrape:\n{body}\nlog:\n{sentinel.Log}");
        return parsed!;
    }
}
