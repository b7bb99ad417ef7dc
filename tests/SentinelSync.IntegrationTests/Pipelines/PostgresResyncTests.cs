using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// <c>sentinel resync</c> against the real <c>sentinel run</c>: one table re-snapshotted while writes go on,
/// the other tables streaming meanwhile, the destination repaired exactly; refusals with a reason; a resync
/// cut by a crash starting over.
/// </summary>
public sealed class PostgresResyncTests(ITestOutputHelper output)
{
    private const string EventsTable = "CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp()); INSERT INTO events (id) VALUES (0);";

    [Fact]
    public async Task A_resync_under_live_writes_repairs_a_drifted_destination_exactly_while_another_table_keeps_streaming()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync(Workload.Schema + EventsTable);
        await Workload.SeedAsync(scenario.Source, 50_000);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"), ("events", "id"));
        await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(90));

        // Drift the stream alone would never repair: rows lost, changed and added behind the pipeline's back.
        await scenario.Destination.ExecuteAsync("""
            DELETE FROM items WHERE id % 50 = 0;
            UPDATE items SET name = 'drifted' WHERE id % 50 = 1;
            INSERT INTO items (id, name, price, note, updated_at) SELECT g, 'stray', 0, NULL, now() FROM generate_series(9000001, 9000500) g;
            """);

        await using var workload = Workload.Start(scenario.Source);
        using var stop = new CancellationTokenSource();
        var events = WriteEventsAsync(scenario, stop.Token);
        var seen = WatchEventsAsync(scenario, stop.Token);

        var (exitCode, text) = await SentinelProcess.RunVerbAsync("resync", PipelineScenario.Pipeline, "items", "--server", scenario.Server.ToString(), "--json");
        exitCode.ShouldBe(0, text);
        var status = JsonDocument.Parse(text).RootElement;
        output.WriteLine(status.ToString());
        status.GetProperty("state").GetString().ShouldBe("done");
        status.GetProperty("table").GetString().ShouldBe("public.items");
        status.GetProperty("rowsCopied").GetInt64().ShouldBeGreaterThan(45_000);
        status.GetProperty("chunks").GetInt32().ShouldBeGreaterThanOrEqualTo(5);

        await workload.StopAsync();
        await stop.CancelAsync();
        await events;
        var samples = await seen;

        // The other table kept streaming during the resync: its destination grew between start and finish.
        var started = status.GetProperty("startedAt").GetDateTimeOffset();
        var finished = status.GetProperty("finishedAt").GetDateTimeOffset();
        var before = samples.Where(s => s.At <= started).Select(s => s.MaxId).DefaultIfEmpty(0).Max();
        var during = samples.Where(s => s.At > started && s.At < finished).Select(s => s.MaxId).DefaultIfEmpty(0).Max();
        output.WriteLine($"events at the destination: {before} at the start of the resync, {during} before its end ({(finished - started).TotalSeconds:0.0} s)");
        during.ShouldBeGreaterThan(before, "events replicated while items was being resynced");

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"), ("events", "id"));

        // Every sink of the pipeline was emptied and refilled: ClickHouse converges too.
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(90), "items", "id", ClickHouse.ClickHousePipelineTests.s_columns, ClickHouse.ClickHousePipelineTests.s_sums);
        await sentinel.WaitForLogAsync("resync of public.items done");
    }

    [Fact]
    public async Task A_resync_is_refused_with_a_reason_and_a_table_without_key_is_left_untouched()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema + "CREATE TABLE logbook (line text); INSERT INTO logbook SELECT 'line ' || g FROM generate_series(1, 100) g;");
        await Workload.SeedAsync(scenario.Source, 100);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"), ("logbook", "line"));
        await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(90));
        var server = scenario.Server.ToString();

        var unknownTable = await SentinelProcess.RunVerbAsync("resync", "p", "nosuch", "--server", server);
        unknownTable.ExitCode.ShouldBe(2, unknownTable.Output);
        unknownTable.Output.ShouldContain("does not replicate nosuch");
        unknownTable.Output.ShouldContain("public.items");

        var unknownPipeline = await SentinelProcess.RunVerbAsync("resync", "nopipe", "items", "--server", server);
        unknownPipeline.ExitCode.ShouldBe(2, unknownPipeline.Output);
        unknownPipeline.Output.ShouldContain("No pipeline 'nopipe'");

        // No key to page by: the resync fails before it empties anything.
        var keyless = await SentinelProcess.RunVerbAsync("resync", "p", "public.logbook", "--server", server, "--json");
        keyless.ExitCode.ShouldBe(1, keyless.Output);
        JsonDocument.Parse(keyless.Output).RootElement.GetProperty("state").GetString().ShouldBe("failed");
        keyless.Output.ShouldContain("has no primary key or replica identity index");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM logbook")).ShouldBe(100);

        (await SentinelProcess.RunVerbAsync("pause", "p", "--server", server)).ExitCode.ShouldBe(0);
        var paused = await SentinelProcess.RunVerbAsync("resync", "p", "items", "--server", server);
        paused.ExitCode.ShouldBe(2, paused.Output);
        paused.Output.ShouldContain("paused");
    }

    [Fact]
    public async Task A_resync_cut_by_a_crash_starts_over_when_the_pipeline_runs_again_and_completes_exactly()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 150_000);
        var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(120), ("items", "id"));
        await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(90));
        await scenario.Destination.ExecuteAsync("DELETE FROM items WHERE id % 7 = 0");

        using var http = new HttpClient { BaseAddress = scenario.Server };
        var path = $"api/pipelines/{PipelineScenario.Pipeline}/tables/public.items/resync";
        var first = await (await http.PostAsJsonAsync(path, new { })).Content.ReadFromJsonAsync<JsonElement>();
        var firstId = first.GetProperty("id").GetString();
        await Eventually.WaitAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>(path)).GetProperty("chunks").GetInt32() >= 2,
            TimeSpan.FromSeconds(60),
            () => "two chunks of the resync pushed");
        await sentinel.KillAsync();
        await sentinel.DisposeAsync();

        await using var restarted = await scenario.StartSentinelAsync();
        using var again = new HttpClient { BaseAddress = scenario.Server };
        JsonElement last = default;
        await Eventually.WaitAsync(
            async () =>
            {
                var response = await again.GetAsync(path);
                last = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
                return last.ValueKind == JsonValueKind.Object && last.GetProperty("state").GetString() == "done";
            },
            TimeSpan.FromSeconds(120),
            () => $"the resync to start over and finish; last: {last}");
        output.WriteLine(last.ToString());
        last.GetProperty("id").GetString().ShouldNotBe(firstId);
        await restarted.WaitForLogAsync("interrupted by a restart; starting it over");

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
    }

    [Fact]
    public async Task A_table_with_a_composite_text_key_is_paged_through_exactly_quotes_backslashes_and_all()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync("""
            CREATE TABLE tags (owner text, n integer, label text, PRIMARY KEY (owner, n));
            INSERT INTO tags SELECT CASE g % 4 WHEN 0 THEN 'o''brien ' WHEN 1 THEN 'back\slash ' WHEN 2 THEN 'Ünïcode ' ELSE 'plain ' END || (g % 7), g, 'label ' || g
            FROM generate_series(1, 25000) g;
            """);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("tags", "owner, n"));
        await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(90));
        await scenario.Destination.ExecuteAsync("DELETE FROM tags WHERE n % 3 = 0");

        var (exitCode, text) = await SentinelProcess.RunVerbAsync("resync", PipelineScenario.Pipeline, "tags", "--server", scenario.Server.ToString(), "--json");
        exitCode.ShouldBe(0, text);
        var status = JsonDocument.Parse(text).RootElement;
        status.GetProperty("rowsCopied").GetInt64().ShouldBe(25_000, "every row exactly once across the chunk boundaries");
        status.GetProperty("chunks").GetInt32().ShouldBe(3);
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("tags", "owner, n"));
    }

    private static async Task WriteEventsAsync(PipelineScenario scenario, CancellationToken stop)
    {
        await using var connection = await scenario.Source.OpenConnectionAsync();
        for (var id = 1; !stop.IsCancellationRequested; id++)
        {
            await using var command = new Npgsql.NpgsqlCommand($"INSERT INTO events (id) VALUES ({id})", connection);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Samples the highest event id visible at the destination, with the time it was seen.</summary>
    private static async Task<List<(DateTimeOffset At, long MaxId)>> WatchEventsAsync(PipelineScenario scenario, CancellationToken stop)
    {
        var samples = new List<(DateTimeOffset, long)>();
        await using var connection = await scenario.Destination.OpenConnectionAsync();
        while (!stop.IsCancellationRequested)
        {
            await using var command = new Npgsql.NpgsqlCommand("SELECT coalesce(max(id), 0) FROM events", connection);
            var maxId = (long)(await command.ExecuteScalarAsync(CancellationToken.None))!;
            samples.Add((DateTimeOffset.UtcNow, maxId));
            await Task.Delay(50, CancellationToken.None);
        }

        return samples;
    }
}
