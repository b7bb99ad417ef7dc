using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
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
        await using var scenario = await SeededScenarioAsync();
        await using var first = await scenario.StartSentinelAsync();
        await using var second = await scenario.StartAnotherSiloAsync("second-silo");
        await using var workload = Workload.Start(scenario.Source);

        var owner = await WaitForOwnerAsync(scenario, workload, null, ("test-silo", first), ("second-silo", second));
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
        await using var scenario = await SeededScenarioAsync();
        await using var first = await scenario.StartSentinelAsync();
        await using var second = await scenario.StartAnotherSiloAsync("second-silo");
        await using var workload = Workload.Start(scenario.Source);
        var owner = await WaitForOwnerAsync(scenario, workload, null, ("test-silo", first), ("second-silo", second));
        var survivor = owner == first ? second : first;
        (await owner.StopAsync()).ShouldBe(0, owner.Log);
        await WaitForSourceAsync(survivor, TimeSpan.FromSeconds(30), "the remaining silo to take the pipeline over");

        await StreamsOnAndConvergesAsync(scenario, workload, "handover");
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "a handover dead-letters nothing");
    }

    [Fact]
    public async Task A_joining_silo_that_owns_the_pipeline_takes_it_over_after_the_old_owner_drained_keeps_it_and_nothing_is_lost()
    {
        await using var scenario = await SeededScenarioAsync();
        await using var first = await scenario.StartSentinelAsync();
        await using var workload = Workload.Start(scenario.Source);
        (await WaitForOwnerAsync(scenario, workload, null, ("test-silo", first))).ShouldBe(first);

        // A name that rendezvous hashing gives the pipeline to, once that silo is active.
        var owner = OwnerAmong("joining-silo", ["test-silo"]);
        await using var second = await scenario.StartAnotherSiloAsync(owner);
        var joined = Stopwatch.StartNew();
        (await WaitForOwnerAsync(scenario, workload, owner, ("test-silo", first), (owner, second))).ShouldBe(second);
        output.WriteLine($"pipeline moved to the joining silo {joined.ElapsedMilliseconds} ms after it was ready");
        await first.WaitForLogAsync($"belongs to silo {owner}: draining it here");
        await StaysAsync(scenario, owner, s_stay, ("test-silo", first));

        await StreamsOnAndConvergesAsync(scenario, workload, "move");
    }

    /// <summary>
    /// The move that bounced (#19): a third silo calls the source (its pipeline keeper every 2 s, its monitor every
    /// second, and the test through it every 50 ms), so its grain-directory cache names the old silo when the source moves.
    /// A move that stopped the source and let the next call place it let such a call re-create it on the old silo.
    /// </summary>
    [Fact]
    public async Task A_pipeline_moved_to_a_joining_owner_stays_there_while_another_silo_keeps_calling_it()
    {
        await using var scenario = await SeededScenarioAsync();
        await using var first = await scenario.StartSentinelAsync();
        await using var workload = Workload.Start(scenario.Source);
        (await WaitForOwnerAsync(scenario, workload, null, ("test-silo", first))).ShouldBe(first);

        // A bystander that does not take the pipeline from test-silo, then a joining silo that owns it among the three.
        var bystanderName = Enumerable.Range(1, 100).Select(i => $"bystander-{i}")
            .First(n => RendezvousPlacement.Owner(SourceGrain.GrainType, PipelineScenario.Pipeline, ["test-silo", n]) == "test-silo");
        await using var bystander = await scenario.StartAnotherSiloAsync(bystanderName);
        await WaitForReportedSiloAsync(bystander, "test-silo", TimeSpan.FromSeconds(60));
        using var calls = new CancellationTokenSource();
        var calling = KeepCallingAsync(bystander, calls.Token);

        var owner = OwnerAmong("joining-silo", ["test-silo", bystanderName]);
        await using var joining = await scenario.StartAnotherSiloAsync(owner);
        var joined = Stopwatch.StartNew();
        (await WaitForOwnerAsync(scenario, workload, owner, ("test-silo", first), (bystanderName, bystander), (owner, joining))).ShouldBe(joining);
        output.WriteLine($"pipeline moved to the joining silo {joined.ElapsedMilliseconds} ms after it was ready");
        await StaysAsync(scenario, owner, s_stay, ("test-silo", first), (bystanderName, bystander));
        await WaitForReportedSiloAsync(bystander, owner, TimeSpan.FromSeconds(30));
        await calls.CancelAsync();
        output.WriteLine($"{await calling} calls to the source through the bystander meanwhile");

        await StreamsOnAndConvergesAsync(scenario, workload, "move");
    }

    /// <summary>A pipeline scenario whose source has the workload's table with 2,000 rows.</summary>
    private static async Task<PipelineScenario> SeededScenarioAsync([CallerMemberName] string test = "")
    {
        var scenario = await PipelineScenario.CreateAsync(name: test);
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        return scenario;
    }

    /// <summary>The workload commits 100 more transactions after <paramref name="after"/>, stops, and the destination equals the source.</summary>
    private static async Task StreamsOnAndConvergesAsync(PipelineScenario scenario, Workload workload, string after)
    {
        var commits = workload.Commits;
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > commits + 100), TimeSpan.FromSeconds(30), () => $"100 commits after the {after}");
        await workload.StopAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
    }

    /// <summary>How long a moved source is watched to stay on its owner.</summary>
    private static readonly TimeSpan s_stay = TimeSpan.FromSeconds(30);

    /// <summary>The first name <c>{prefix}-N</c> that owns the pipeline among itself and <paramref name="others"/>.</summary>
    private static string OwnerAmong(string prefix, string[] others) =>
        Enumerable.Range(1, 100).Select(i => $"{prefix}-{i}")
            .First(name => RendezvousPlacement.Owner(SourceGrain.GrainType, PipelineScenario.Pipeline, [.. others, name]) == name);

    /// <summary>
    /// Waits until one silo (silo <paramref name="on"/> if given) runs the pipeline while the workload writes, and returns it: the silo that holds the
    /// source's lease in the control database (the one authority on who may read the slot), which lists the source,
    /// and no other silo does. Fails if two silos list the source for <see cref="s_twoAtMost"/>: Orleans lists a
    /// migrating grain on both silos for a moment (the new activation starts before the old one is gone), never longer.
    /// </summary>
    private static async Task<SentinelProcess> WaitForOwnerAsync(PipelineScenario scenario, Workload workload, string? on, params (string Name, SentinelProcess Process)[] silos)
    {
        SentinelProcess? owner = null;
        Stopwatch? two = null;
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var holder = await LeaseHolderAsync(scenario);
                var hosting = new List<(string Name, SentinelProcess Process)>();
                foreach (var silo in silos)
                {
                    if (await RunsSourceAsync(silo.Process))
                    {
                        hosting.Add(silo);
                    }
                }

                last = $"lease held by {holder ?? "nobody"}; listed by {string.Join(", ", hosting.Select(h => h.Name))}";
                two = hosting.Count > 1 ? two ?? Stopwatch.StartNew() : null;
                (two?.Elapsed ?? TimeSpan.Zero).ShouldBeLessThan(s_twoAtMost, $"a pipeline's source runs on one silo at most ({last})");
                owner = hosting.Count == 1 && hosting[0].Name == holder && (on is null || holder == on) ? hosting[0].Process : null;
                return owner is not null && workload.Commits > 100;
            },
            TimeSpan.FromSeconds(120),
            () => $"{(on is null ? "one silo" : on)} to run the pipeline while the workload writes; last: {last}");
        return owner!;
    }

    /// <summary>Longer than Orleans lists a migrating grain on two silos, by far; shorter than any real double run.</summary>
    private static readonly TimeSpan s_twoAtMost = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Watches for <paramref name="within"/> that the source stays on silo <paramref name="owner"/>: its lease keeps
    /// the same holder and epoch (an activation anywhere else would have taken it, or waited for it, listed on its
    /// silo), and none of <paramref name="others"/> lists the source.
    /// </summary>
    private static async Task StaysAsync(PipelineScenario scenario, string owner, TimeSpan within, params (string Name, SentinelProcess Process)[] others)
    {
        var epoch = await LeaseEpochAsync(scenario);
        var watched = Stopwatch.StartNew();
        var checks = 0;
        while (watched.Elapsed < within)
        {
            (await LeaseHolderAsync(scenario)).ShouldBe(owner, $"the source's lease after {watched.Elapsed.TotalSeconds:0.0} s on its owner");
            foreach (var other in others)
            {
                (await RunsSourceAsync(other.Process)).ShouldBeFalse($"{other.Name} lists the source {watched.Elapsed.TotalSeconds:0.0} s after it moved to {owner}");
            }

            checks++;
            // Sampling interval of the watch, not synchronisation: the lease epoch below covers the time between samples.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        (await LeaseEpochAsync(scenario)).ShouldBe(epoch, $"no activation of the source took its lease in {within.TotalSeconds:0} s ({checks} checks)");
    }

    /// <summary>The silo holding the source's lease in the control database; null while it is released (a hand-over).</summary>
    private static Task<string?> LeaseHolderAsync(PipelineScenario scenario) =>
        scenario.Control.ScalarAsync<string?>(
            "SELECT silo FROM sentinel.grain_lease WHERE grain_type = $1 AND grain_key = $2 AND NOT released",
            SourceGrain.GrainType,
            PipelineScenario.Pipeline);

    private static Task<long> LeaseEpochAsync(PipelineScenario scenario) =>
        scenario.Control.ScalarAsync<long>(
            "SELECT epoch FROM sentinel.grain_lease WHERE grain_type = $1 AND grain_key = $2",
            SourceGrain.GrainType,
            PipelineScenario.Pipeline);

    /// <summary>Waits until <paramref name="silo"/>'s <c>/api/pipelines</c> reports the pipeline on silo <paramref name="expected"/>.</summary>
    private static async Task WaitForReportedSiloAsync(SentinelProcess silo, string expected, TimeSpan within)
    {
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                last = await ReportedSiloAsync(silo) ?? "none";
                return last == expected;
            },
            within,
            () => $"/api/pipelines to report the pipeline on {expected}; last: {last}");
    }

    /// <summary>
    /// Calls the source through <paramref name="silo"/> every 50 ms until cancelled (<c>GET /api/pipelines/p/resyncs</c>
    /// is one call to the source grain; <c>/api/pipelines</c> is sampled once a second); returns how many answered.
    /// </summary>
    private static async Task<int> KeepCallingAsync(SentinelProcess silo, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = silo.Address, Timeout = TimeSpan.FromSeconds(10) };
        var calls = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync($"api/pipelines/{PipelineScenario.Pipeline}/resyncs", stop);
                calls += response.IsSuccessStatusCode ? 1 : 0;
                await Task.Delay(TimeSpan.FromMilliseconds(50), stop);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
            }
        }

        return calls;
    }

    private static async Task<string?> ReportedSiloAsync(SentinelProcess silo)
    {
        using var http = new HttpClient { BaseAddress = silo.Address, Timeout = TimeSpan.FromSeconds(10) };
        var report = await http.GetFromJsonAsync<JsonElement>("api/pipelines");
        var pipeline = report.GetProperty("pipelines").EnumerateArray().Single(p => p.GetProperty("name").GetString() == PipelineScenario.Pipeline);
        return pipeline.GetProperty("silo").ValueKind == JsonValueKind.String ? pipeline.GetProperty("silo").GetString() : null;
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
