using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>A pipeline whose source grain cannot start is loud: an Error in the log, the reason in the API, a metric.</summary>
public sealed class PipelineStartFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_pipeline_whose_source_cannot_activate_is_logged_at_error_reported_and_counted_then_recovers_once_fixed()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 100);
        var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("items", "id"));
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        await sentinel.DisposeAsync();

        // The source grain's stored state no longer reads (hand-edited, say): its activation fails every time.
        await scenario.Control.ExecuteAsync("UPDATE sentinel.grain_state SET payload = jsonb_set(payload, '{paused}', '\"yes\"') WHERE grain_type = 'Source' AND grain_key = 'p'");
        await using var broken = await scenario.StartSentinelAsync();
        using var http = new HttpClient { BaseAddress = broken.Address, Timeout = TimeSpan.FromSeconds(30) };
        JsonElement pipeline = default;
        await Eventually.WaitAsync(
            async () =>
            {
                pipeline = (await http.GetFromJsonAsync<JsonElement>("api/pipelines")).GetProperty("pipelines")[0];
                return pipeline.GetProperty("error").GetString() is { } error && error.Contains("not starting", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(60),
            () => $"/api/pipelines to say why p does not start; last: {pipeline}");
        output.WriteLine(pipeline.ToString());
        await broken.WaitForLogAsync("\"LogLevel\":\"Error\"");
        await broken.WaitForLogAsync("Pipeline p is not running");
        var metrics = await http.GetStringAsync("metrics");
        metrics.Split('\n').ShouldContain(l => l.StartsWith("sentinel_pipeline_start_failures_total{", StringComparison.Ordinal) && l.Contains("pipeline=\"p\"", StringComparison.Ordinal));

        // Fixed: the keeper's next attempt starts it, and the error clears.
        await scenario.Control.ExecuteAsync("UPDATE sentinel.grain_state SET payload = jsonb_set(payload, '{paused}', 'false') WHERE grain_type = 'Source' AND grain_key = 'p'");
        await Eventually.WaitAsync(
            async () =>
            {
                pipeline = (await http.GetFromJsonAsync<JsonElement>("api/pipelines")).GetProperty("pipelines")[0];
                return pipeline.GetProperty("phase").GetString() == "streaming" && pipeline.GetProperty("error").ValueKind == JsonValueKind.Null;
            },
            TimeSpan.FromSeconds(60),
            () => $"p to stream again once its state reads; last: {pipeline}");
    }
}
