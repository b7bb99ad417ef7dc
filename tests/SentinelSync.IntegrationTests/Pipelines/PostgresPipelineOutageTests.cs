using System.Diagnostics;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>The destination cluster is stopped for 30 s while the source keeps writing.</summary>
[Collection(OutageCollection.Name)]
public sealed class PostgresPipelineOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_destination_stopped_for_30_seconds_mid_stream_then_identical()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), ("items", "id"));
        await using var workload = Workload.Start(scenario.Source);

        var slotSql = $"SELECT (confirmed_flush_lsn - '0/0')::numeric FROM pg_replication_slots WHERE slot_name = '{scenario.Source.Name}'";
        try
        {
            await Cluster("stop");
            var walAtStop = await scenario.Source.ScalarAsync<decimal>("SELECT (pg_current_wal_lsn() - '0/0')::numeric");
            var written = workload.Commits;

            // The outage itself is the scenario: 30 s of a destination that refuses connections.
            await Task.Delay(TimeSpan.FromSeconds(30));
            output.WriteLine($"{workload.Commits - written} source commits during the outage");
            (await scenario.Source.ScalarAsync<decimal>(slotSql)).ShouldBeLessThanOrEqualTo(walAtStop, "nothing written during the outage is confirmed: the slot keeps its WAL");
            sentinel.HasExited.ShouldBeFalse("the silo keeps retrying instead of dying");
        }
        finally
        {
            await Cluster("start");

            // The test's own pooled connections to the destination died with it.
            Npgsql.NpgsqlConnection.ClearAllPools();
        }

        await workload.StopAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "a destination that is down is waited for; none of the changes is at fault");
    }

    private static async Task Cluster(string action)
    {
        using var process = Process.Start("pg_ctlcluster", ["15", "sentinel_dest", action]) ?? throw new InvalidOperationException("pg_ctlcluster not found");
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"pg_ctlcluster 15 sentinel_dest {action}");
    }
}
