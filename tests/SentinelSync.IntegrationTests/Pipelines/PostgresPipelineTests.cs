using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>Postgres to Postgres through the real <c>sentinel run</c> process.</summary>
public sealed class PostgresPipelineTests(ITestOutputHelper output)
{
    private static readonly (string, string)[] s_items = [("items", "id")];

    [Fact]
    public async Task Snapshot_under_concurrent_writes_then_streaming_converge_and_a_graceful_stop_exits_0()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 20_000);

        await using var workload = Workload.Start(scenario.Source);
        await using var sentinel = await scenario.StartSentinelAsync();
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > 200), TimeSpan.FromSeconds(30), () => "200 source commits while replicating");
        await workload.StopAsync();

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), s_items);
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        output.WriteLine($"{workload.Commits} commits replicated");

        // The slot was confirmed up to what was applied: nothing is left to stream.
        var lag = await scenario.Source.ScalarAsync<decimal>($"SELECT pg_current_wal_lsn() - confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{scenario.Source.Name}'");
        lag.ShouldBeLessThan(1024 * 1024m);
    }

    [Fact]
    public async Task Three_kill_minus_9_mid_stream_then_the_destination_is_identical()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 5_000);
        await using var workload = Workload.Start(scenario.Source);

        for (var kill = 1; kill <= 3; kill++)
        {
            await using var sentinel = await scenario.StartSentinelAsync();
            var before = workload.Commits;
            await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > before + 100), TimeSpan.FromSeconds(30), () => $"100 more commits before kill {kill}");
            await sentinel.KillAsync();
        }

        await workload.StopAsync();
        await using (await scenario.StartSentinelAsync())
        {
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), s_items);
        }

        output.WriteLine($"{workload.Commits} commits, 3 kills");
    }
}
