using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Grains;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>Several `sentinel run` processes on one control database: the pipeline runs once, survives a dead silo and moves to a joining owner.</summary>
public sealed class PostgresPipelineClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_silos_run_the_pipeline_once_and_the_survivor_takes_it_over_when_its_silo_is_killed()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using var first = await scenario.StartSentinelAsync();
        await using var second = await scenario.StartAnotherSiloAsync("second-silo");
        await using var workload = Workload.Start(scenario.Source);

        var owner = await WaitForOwnerAsync(workload, first, second);
        var survivor = owner == first ? second : first;
        var killed = Stopwatch.StartNew();
        await owner.KillAsync();
        await WaitForSourceAsync(survivor, TimeSpan.FromSeconds(60), "the surviving silo to take the pipeline over");
        output.WriteLine($"pipeline running again on the survivor {killed.ElapsedMilliseconds} ms after the kill (cluster: defaults)");

        await workload.StopAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
    }

    [Fact]
    public async Task A_silo_stopped_gracefully_hands_its_pipeline_over_exits_0_and_nothing_is_lost()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using var first = await scenario.StartSentinelAsync();
        await using var second = await scenario.StartAnotherSiloAsync("second-silo");
        await using var workload = Workload.Start(scenario.Source);
        var owner = await WaitForOwnerAsync(workload, first, second);
        var survivor = owner == first ? second : first;
        (await owner.StopAsync()).ShouldBe(0, owner.Log);
        await WaitForSourceAsync(survivor, TimeSpan.FromSeconds(30), "the remaining silo to take the pipeline over");

        var commits = workload.Commits;
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > commits + 100), TimeSpan.FromSeconds(30), () => "100 commits after the handover");
        await workload.StopAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "a handover dead-letters nothing");
    }

    [Fact]
    public async Task A_joining_silo_that_owns_the_pipeline_takes_it_over_after_the_old_owner_drained_and_nothing_is_lost()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using var first = await scenario.StartSentinelAsync();
        await using var workload = Workload.Start(scenario.Source);
        (await WaitForOwnerAsync(workload, first)).ShouldBe(first);

        // A name that rendezvous hashing gives the pipeline to, once that silo is active.
        var owner = Enumerable.Range(1, 100).Select(i => $"joining-silo-{i}")
            .First(name => RendezvousPlacement.Owner(SourceGrain.GrainType, PipelineScenario.Pipeline, ["test-silo", name]) == name);
        await using var second = await scenario.StartAnotherSiloAsync(owner);
        var joined = Stopwatch.StartNew();
        // Usually moved at the first try. A caller's stale grain-directory cache can re-create the drained source on
        // the old silo (#19, README "Placement that spreads pipelines"); the rebalancer then tries again after 30 s
        // and again 60 s later, so the wait covers three tries.
        await Eventually.WaitAsync(
            async () => await RunsSourceAsync(second) && !await RunsSourceAsync(first),
            TimeSpan.FromSeconds(180),
            () => $"the pipeline to move to {owner}; log of the old owner:\n{first.Log[^Math.Min(first.Log.Length, 6000)..]}");
        output.WriteLine($"pipeline moved to the joining silo {joined.ElapsedMilliseconds} ms after it was ready");
        first.Log.ShouldContain($"belongs to silo {owner}: draining it here");

        var commits = workload.Commits;
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > commits + 100), TimeSpan.FromSeconds(30), () => "100 commits after the move");
        await workload.StopAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
    }

    /// <summary>Waits until exactly one of <paramref name="silos"/> runs the pipeline (never two) while the workload writes.</summary>
    private static async Task<SentinelProcess> WaitForOwnerAsync(Workload workload, params SentinelProcess[] silos)
    {
        SentinelProcess? owner = null;
        await Eventually.WaitAsync(
            async () =>
            {
                var hosting = new List<SentinelProcess>();
                foreach (var silo in silos)
                {
                    if (await RunsSourceAsync(silo))
                    {
                        hosting.Add(silo);
                    }
                }

                hosting.Count.ShouldBeLessThanOrEqualTo(1, "a pipeline's source runs on one silo at most");
                owner = hosting.SingleOrDefault();
                return owner is not null && workload.Commits > 100;
            },
            TimeSpan.FromSeconds(30),
            () => "one silo to run the pipeline while the workload writes");
        return owner!;
    }

    private static Task WaitForSourceAsync(SentinelProcess silo, TimeSpan within, string what) =>
        Eventually.WaitAsync(() => RunsSourceAsync(silo), within, () => what);

    private static async Task<bool> RunsSourceAsync(SentinelProcess silo) =>
        (await GrainsAsync(silo)).Contains($"Source/{PipelineScenario.Pipeline}");

    private static async Task<string> GrainsAsync(SentinelProcess silo)
    {
        using var http = new HttpClient { BaseAddress = silo.Address, Timeout = TimeSpan.FromSeconds(5) };
        var body = await http.GetFromJsonAsync<JsonElement>("api/grains");
        return body.GetProperty("grains").GetRawText();
    }
}
