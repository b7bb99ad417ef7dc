using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// A slot dropped behind the pipeline's back loses the changes made until a new one exists. Recreating it
/// silently would leave those changes missing at every destination; the pipeline must say so and either copy
/// everything again (snapshot: initial) or refuse to start (snapshot: never).
/// </summary>
public sealed class SlotLossTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_dropped_slot_is_reported_and_a_fresh_copy_removes_rows_deleted_while_no_slot_kept_the_changes()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using (var first = await scenario.StartSentinelAsync())
        {
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("items", "id"));
            (await first.StopAsync()).ShouldBe(0, first.Log);
        }

        // No slot retains these: only a fresh copy that empties the destination tables first can show them.
        await scenario.Source.ExecuteAsync($"SELECT pg_drop_replication_slot('{scenario.Source.Name}')");
        await scenario.Source.ExecuteAsync("DELETE FROM items WHERE id % 3 = 0; UPDATE items SET name = 'after the drop' WHERE id % 7 = 0; INSERT INTO items (id, name, price, note) VALUES (900001, 'new', 1, 'n')");

        await using var second = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
        await second.WaitForLogAsync("is gone although the pipeline read from it");
        await second.WaitForLogAsync("\"LogLevel\":\"Error\"");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items WHERE id % 3 = 0")).ShouldBe(0);

        // Streaming goes on from the new slot.
        await scenario.Source.ExecuteAsync("DELETE FROM items WHERE id % 5 = 0");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("items", "id"));
        (await second.StopAsync()).ShouldBe(0, second.Log);
    }

    [Fact]
    public async Task Without_a_snapshot_a_dropped_slot_stops_the_pipeline_with_the_reason_in_the_api_instead_of_recreating_it()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 100);
        await using (var first = await scenario.StartSentinelAsync())
        {
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("items", "id"));
            (await first.StopAsync()).ShouldBe(0, first.Log);
        }

        await scenario.Source.ExecuteAsync($"SELECT pg_drop_replication_slot('{scenario.Source.Name}')");
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        await File.WriteAllTextAsync(scenario.ConfigFile, config.Replace("snapshot: initial", "snapshot: never", StringComparison.Ordinal));

        await using var second = await scenario.StartSentinelAsync();
        using var http = new HttpClient { BaseAddress = second.Address, Timeout = TimeSpan.FromSeconds(30) };
        JsonElement pipeline = default;
        await Eventually.WaitAsync(
            async () =>
            {
                pipeline = (await http.GetFromJsonAsync<JsonElement>("api/pipelines")).GetProperty("pipelines")[0];
                return pipeline.GetProperty("error").GetString() is { } error
                    && error.Contains($"replication slot '{scenario.Source.Name}' does not exist", StringComparison.Ordinal)
                    && pipeline.GetProperty("phase").GetString() == "failed"
                    && pipeline.GetProperty("lastError").GetString() is { } reason
                    && reason.Contains("no longer exists", StringComparison.Ordinal) && reason.Contains("snapshot: initial", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(60),
            () => $"/api/pipelines to report the missing slot and why the pipeline does not recreate it; last: {pipeline}");
        output.WriteLine(pipeline.ToString());
        pipeline.GetProperty("lagBytes").ValueKind.ShouldBe(JsonValueKind.Null, "a missing slot has no lag figure, not a lag of 0");
        (await scenario.Source.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{scenario.Source.Name}'")).ShouldBe(0, "the slot must not be recreated silently");
    }
}
