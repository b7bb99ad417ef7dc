using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>Several `sentinel run` processes on one control database: the pipeline runs once and survives a dead silo.</summary>
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

        SentinelProcess? owner = null;
        await Eventually.WaitAsync(
            async () =>
            {
                var hosting = new List<SentinelProcess>();
                foreach (var silo in new[] { first, second })
                {
                    if ((await GrainsAsync(silo)).Contains($"Source/{PipelineScenario.Pipeline}"))
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

        var survivor = owner == first ? second : first;
        var killed = Stopwatch.StartNew();
        await owner!.KillAsync();
        await Eventually.WaitAsync(
            async () => (await GrainsAsync(survivor)).Contains($"Source/{PipelineScenario.Pipeline}"),
            TimeSpan.FromSeconds(60),
            () => "the surviving silo to take the pipeline over");
        output.WriteLine($"pipeline running again on the survivor {killed.ElapsedMilliseconds} ms after the kill (death timeout 10 s)");

        await workload.StopAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
    }

    private static async Task<string> GrainsAsync(SentinelProcess silo)
    {
        using var http = new HttpClient { BaseAddress = silo.Address, Timeout = TimeSpan.FromSeconds(5) };
        var body = await http.GetFromJsonAsync<JsonElement>("api/grains");
        return body.GetProperty("grains").GetRawText();
    }
}
