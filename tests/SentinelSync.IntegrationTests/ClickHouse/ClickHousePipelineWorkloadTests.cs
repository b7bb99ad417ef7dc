using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.IntegrationTests.Postgres.Source;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>pgbench and every source type, Postgres to ClickHouse through the real process.</summary>
public sealed class ClickHousePipelineWorkloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_pgbench_workload_converges_in_ClickHouse()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.ClickHouse);
        await Pgbench.RunAsync(scenario.Source, "-i", "-s", "5", "-q");
        await scenario.Source.ExecuteAsync("ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY");
        await using var sentinel = await scenario.StartSentinelAsync();

        output.WriteLine(await Pgbench.RunAsync(scenario.Source, "-c", "4", "-j", "2", "-T", "15", "-n"));

        var within = TimeSpan.FromSeconds(120);
        await scenario.WaitForClickHouseConvergenceAsync(within, "pgbench_accounts", "aid", ["bid", "abalance"], ["abalance"]);
        await scenario.WaitForClickHouseConvergenceAsync(within, "pgbench_branches", "bid", ["bbalance"], ["bbalance"]);
        await scenario.WaitForClickHouseConvergenceAsync(within, "pgbench_tellers", "tid", ["bid", "tbalance"], ["tbalance"]);
        await scenario.WaitForClickHouseConvergenceAsync(within, "pgbench_history", "id", ["tid", "bid", "aid", "delta"], ["delta"]);
    }

    [Fact]
    public async Task The_type_torture_table_converges_in_ClickHouse()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.ClickHouse);

        // ClickHouse 18.16 cannot hold multidimensional arrays (documented; such a row is dead-lettered), so this
        // copy of the torture table drops its two-dimensional array column before the pipeline starts.
        await scenario.Source.ExecuteAsync(TypeTortureTests.Schema + TypeTortureTests.Rows + "; ALTER TABLE public.torture DROP COLUMN at2;");
        await using var sentinel = await scenario.StartSentinelAsync();

        // Every value travels twice: in the snapshot, then in full through the stream when every row is updated.
        await scenario.Source.ExecuteAsync("UPDATE public.torture SET i2 = coalesce(i2, 0) / 2");

        // Columns whose text reads the same in both (kept as their exact Postgres output text, or the same integer);
        // the others are checked value by value against the documented mapping in ClickHouseSinkTypeTests.
        string[] sameText = ["i2", "i4", "i8", "num", "nump", "m", "t", "vc", "tm", "iv", "u", "j", "jb", "ip", "cd", "mac", "bt", "vb", "ir", "nr", "e", "dm", "x", "p", "o"];
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(60), "torture", "id", sameText, ["i2", "i4"]);
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "every value of the torture table fits the documented mapping");
    }
}
