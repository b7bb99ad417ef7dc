using System.Diagnostics;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>The source cluster (which also holds the control database) restarts mid-stream.</summary>
[Collection(OutageCollection.Name)]
public sealed class PostgresSourceRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_source_restart_mid_stream_resumes_with_nothing_lost()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using var sentinel = await scenario.StartSentinelAsync();
        await using var workload = Workload.Start(scenario.Source);
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > 200), TimeSpan.FromSeconds(30), () => "200 commits before the restart");

        using (var restart = Process.Start("pg_ctlcluster", ["15", "sentinel", "restart", "-m", "fast"])!)
        {
            await restart.WaitForExitAsync();
            restart.ExitCode.ShouldBe(0, "pg_ctlcluster 15 sentinel restart");
        }

        Npgsql.NpgsqlConnection.ClearAllPools();
        var after = workload.Commits;
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > after + 200), TimeSpan.FromSeconds(60), () => "200 commits after the restart");
        await workload.StopAsync();

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
        sentinel.HasExited.ShouldBeFalse("the silo rides out its source and control database restarting");
        output.WriteLine($"{workload.Commits} commits across a source restart");
    }
}
