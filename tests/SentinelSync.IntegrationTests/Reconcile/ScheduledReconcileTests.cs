using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Reconcile;

/// <summary>
/// <c>reconcile: { schedule: ... }</c> on a cluster of two real silos: each cron occurrence runs once in the
/// cluster, and the schedule goes on after the silo that ran it is killed with SIGKILL.
/// </summary>
public sealed class ScheduledReconcileTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_occurrence_runs_once_in_the_cluster_and_the_schedule_survives_a_silo_kill()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        // Orleans' default probe timings: on a starved machine the tight test defaults can declare a joining silo dead.
        await File.WriteAllTextAsync(scenario.ConfigFile, config.Replace(
            $"  - name: {PipelineScenario.Pipeline}\n",
            $"  - name: {PipelineScenario.Pipeline}\n    reconcile: {{ schedule: \"* * * * *\", mode: rows, repair: false }}\n",
            StringComparison.Ordinal) + "\ncluster: { probeTimeout: \"00:00:05\", numMissedProbesLimit: 3 }\n");
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 1_000);
        SentinelProcess? first = null, second = null;
        try
        {
            first = await scenario.StartSentinelAsync();
            second = await scenario.StartAnotherSiloAsync("silo-b");
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));

            var runs = await WaitForScheduledRunsAsync(scenario, 2, TimeSpan.FromMinutes(4));
            var killedSilo = runs[^1].GetProperty("silo").GetString()!;
            var victim = killedSilo == "test-silo" ? first : second;
            var survivor = victim == first ? second : first;
            var survivorName = killedSilo == "test-silo" ? "silo-b" : "test-silo";
            output.WriteLine($"scheduled runs so far on {killedSilo}; killing it");
            await victim.KillAsync();

            var before = runs.Count;
            var after = await WaitForScheduledRunsAsync(scenario, before + 1, TimeSpan.FromMinutes(4), survivor.HttpPort);
            foreach (var run in after)
            {
                output.WriteLine(run.ToString());
            }

            var occurrences = after.Select(r => r.GetProperty("scheduledFor").GetDateTimeOffset()).ToList();
            occurrences.Distinct().Count().ShouldBe(occurrences.Count, "one run per occurrence");
            after[0].GetProperty("silo").GetString().ShouldBe(survivorName, "the newest run is on the survivor");
            after[0].GetProperty("status").GetString().ShouldBe("ok");
            after.ShouldAllBe(r => r.GetProperty("status").GetString() == "ok");
        }
        finally
        {
            if (first is not null)
            {
                await first.DisposeAsync();
            }

            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }

    /// <summary>The scheduled runs (newest first) once there are <paramref name="count"/> that ended.</summary>
    private static async Task<List<JsonElement>> WaitForScheduledRunsAsync(PipelineScenario scenario, int count, TimeSpan within, int? port = null)
    {
        using var http = new HttpClient { BaseAddress = port is { } p ? new Uri($"http://127.0.0.1:{p}") : scenario.Server };
        List<JsonElement> runs = [];
        await Eventually.WaitAsync(
            async () =>
            {
                runs = [.. (await http.GetFromJsonAsync<JsonElement>($"api/reconcile?pipeline={PipelineScenario.Pipeline}")).EnumerateArray()
                    .Where(r => r.GetProperty("trigger").GetString() == "schedule" && r.GetProperty("status").GetString() is not ("running" or "interrupted"))];
                return runs.Count >= count;
            },
            within,
            () => $"{count} scheduled runs; so far: {string.Join("\n", runs)}");
        return runs;
    }
}
