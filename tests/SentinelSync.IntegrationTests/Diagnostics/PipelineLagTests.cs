using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SentinelSync.Testing;
using SentinelSync.Testing.Metrics;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Diagnostics;

/// <summary>
/// The pipeline's lag (<c>sentinel_pipeline_lag_seconds</c> and <c>lagSeconds</c> of <c>/api/pipelines</c>) while the
/// pipeline is held back: it must follow the real age of what is not applied, whether the source received it (a
/// blocked destination) or not (paused, then a silo restart), and fall back to about zero once released.
/// </summary>
public sealed class PipelineLagTests(ITestOutputHelper output)
{
    private const string Table = "lagged";

    /// <summary>The monitor samples once a second; a loaded machine adds a second or two of scheduling.</summary>
    private const double Tolerance = 4;

    [Fact]
    public async Task A_blocked_destination_makes_the_lag_grow_with_the_age_of_the_held_changes_then_fall_to_zero()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync($"CREATE TABLE {Table} (id bigint PRIMARY KEY, name text NOT NULL)");
        await using var sentinel = await scenario.StartSentinelAsync();
        using var http = new HttpClient { BaseAddress = sentinel.Address };
        await InsertAsync(scenario, 1);
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), (Table, "id"));
        await WaitForLagBelowAsync(http, Tolerance, "a caught-up pipeline before the destination is blocked");

        await using var blocker = await scenario.Destination.OpenConnectionAsync();
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {Table} IN EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var committed = Stopwatch.StartNew();
            await InsertAsync(scenario, 2);
            await AssertLagFollowsAsync(http, committed, "changes received and held by a blocked destination");
            await transaction.RollbackAsync();
        }

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), (Table, "id"));
        await WaitForLagBelowAsync(http, Tolerance, "the released pipeline");
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
    }

    [Fact]
    public async Task A_paused_pipeline_behind_its_slot_reports_the_age_of_what_waits_there_across_a_silo_restart()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync($"CREATE TABLE {Table} (id bigint PRIMARY KEY, name text NOT NULL)");
        var sentinel = await scenario.StartSentinelAsync();
        try
        {
            using (var http = new HttpClient { BaseAddress = sentinel.Address })
            {
                await InsertAsync(scenario, 1);
                await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), (Table, "id"));
                await WaitForLagBelowAsync(http, Tolerance, "a caught-up pipeline before the pause");
                (await http.PostAsync("api/pipelines/p/pause", content: null)).EnsureSuccessStatusCode();
            }

            // Nothing of this is received: the source does not read while paused.
            var committed = Stopwatch.StartNew();
            await InsertAsync(scenario, 2);
            using (var http = new HttpClient { BaseAddress = sentinel.Address })
            {
                await AssertLagFollowsAsync(http, committed, "changes waiting in the slot of a paused pipeline");
            }

            // A restarted silo has no samples of its own from before: the lag carries on from the control database's mark.
            (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
            await sentinel.DisposeAsync();
            var mark = await scenario.Control.ScalarAsync<string?>("SELECT seen_at::text || ' at ' || wal_end::text FROM sentinel.pipeline_wal_mark");
            sentinel = await scenario.StartSentinelAsync();
            using (var http = new HttpClient { BaseAddress = sentinel.Address })
            {
                var (api, _) = await ReadLagAsync(http, metricRequired: true);
                output.WriteLine($"after the restart: lag {api:0.0} s, {committed.Elapsed.TotalSeconds:0.0} s since the commit");
                var report = await http.GetStringAsync("api/pipelines");
                api.ShouldBeInRange(
                    committed.Elapsed.TotalSeconds - Tolerance,
                    committed.Elapsed.TotalSeconds + Tolerance,
                    $"a restarted silo counts from the mark, not from its start; the mark the stopped silo left: {mark ?? "none"}; /api/pipelines: {report}; silo log: {sentinel.Log}");

                (await http.PostAsync("api/pipelines/p/resume", content: null)).EnsureSuccessStatusCode();
                await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), (Table, "id"));
                await WaitForLagBelowAsync(http, Tolerance, "the resumed pipeline");
            }

            (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        }
        finally
        {
            await sentinel.DisposeAsync();
        }
    }

    /// <summary>
    /// Over about six seconds, both lag figures must stay within <see cref="Tolerance"/> of the time since the held
    /// changes committed (so they grow with it), and must have grown by at least four seconds.
    /// </summary>
    private async Task AssertLagFollowsAsync(HttpClient http, Stopwatch committed, string what)
    {
        await Eventually.WaitAsync(async () => (await ReadLagAsync(http, metricRequired: true)).Api >= 2, TimeSpan.FromSeconds(30), () => $"a lag of 2 s or more for {what}");
        var first = double.NaN;
        var last = double.NaN;
        for (var sample = 0; sample < 4; sample++)
        {
            var (api, metric) = await ReadLagAsync(http, metricRequired: true);
            var age = committed.Elapsed.TotalSeconds;
            output.WriteLine($"{what}: {age:0.0} s since the commit, API lagSeconds {api:0.0}, sentinel_pipeline_lag_seconds {metric:0.0}");
            api.ShouldBeInRange(age - Tolerance, age + Tolerance, $"API lagSeconds {age:0.0} s after the commit ({what})");
            metric!.Value.ShouldBeInRange(age - Tolerance, age + Tolerance, $"sentinel_pipeline_lag_seconds {age:0.0} s after the commit ({what})");
            first = double.IsNaN(first) ? api : first;
            last = api;
            await Task.Delay(TimeSpan.FromSeconds(2)); // spacing samples in time is the point here, not synchronisation
        }

        (last - first).ShouldBeGreaterThanOrEqualTo(4 - 1.5, $"the lag must grow while {what} wait");
    }

    private static async Task WaitForLagBelowAsync(HttpClient http, double seconds, string what)
    {
        (double Api, double? Metric) lag = default;
        await Eventually.WaitAsync(
            async () =>
            {
                lag = await ReadLagAsync(http, metricRequired: false);
                return lag.Api < seconds && lag.Metric is null or < 4;
            },
            TimeSpan.FromSeconds(60),
            () => $"lag below {seconds} s for {what}; last: API {lag.Api}, metric {lag.Metric}");
    }

    /// <summary>The pipeline's <c>lagSeconds</c> from the API and its <c>sentinel_pipeline_lag_seconds</c> on this silo.</summary>
    private static async Task<(double Api, double? Metric)> ReadLagAsync(HttpClient http, bool metricRequired)
    {
        double? metric = null;
        var api = 0.0;
        await Eventually.WaitAsync(
            async () =>
            {
                var pipeline = (await http.GetFromJsonAsync<JsonElement>("api/pipelines")).GetProperty("pipelines")[0];
                api = pipeline.GetProperty("lagSeconds").GetDouble();
                metric = ExpositionParser.Parse(await http.GetStringAsync("metrics")).Find("sentinel_pipeline_lag_seconds", ("pipeline", PipelineScenario.Pipeline))?.Value;
                return metric is not null || !metricRequired;
            },
            TimeSpan.FromSeconds(30),
            () => "sentinel_pipeline_lag_seconds{pipeline=\"p\"} on the silo running the pipeline");
        return (api, metric);
    }

    private static Task InsertAsync(PipelineScenario scenario, int id) =>
        scenario.Source.ExecuteAsync($"INSERT INTO {Table} VALUES ({id}, 'row {id}')");
}
