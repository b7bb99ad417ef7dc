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

        // ClickHouse 18.16 cannot hold the two-dimensional array column at2 in its Array(Nullable(String)): the rows
        // stay, and its values are kept as their exact Postgres text in at2__text (the documented fallback).
        await scenario.Source.ExecuteAsync(TypeTortureTests.Schema + TypeTortureTests.Rows);
        await using var sentinel = await scenario.StartSentinelAsync();

        // Every value travels twice: in the snapshot, then in full through the stream when every row is updated.
        await scenario.Source.ExecuteAsync("UPDATE public.torture SET i2 = coalesce(i2, 0) / 2");

        // Columns whose text reads the same in both (kept as their exact Postgres output text, or the same integer);
        // the others are checked value by value against the documented mapping in ClickHouseSinkTypeTests.
        string[] sameText = ["i2", "i4", "i8", "num", "nump", "m", "t", "vc", "tm", "iv", "u", "j", "jb", "ip", "cd", "mac", "bt", "vb", "ir", "nr", "e", "dm", "x", "p", "o"];
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(60), "torture", "id", sameText, ["i2", "i4"]);
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "every value of the torture table fits the documented mapping");

        // The fallback: every two-dimensional value exactly as the source prints it, the Array part empty.
        var expected = await scenario.Source.ScalarAsync<string>("SELECT string_agg(id || '=' || at2::text, ';' ORDER BY id) FROM public.torture WHERE at2 IS NOT NULL AND array_ndims(at2) > 1");
        expected.ShouldNotBeNullOrEmpty();
        var kept = (await scenario.ClickHouse!.QueryAsync("SELECT arrayStringConcat(groupArray(r), ';') FROM (SELECT concat(toString(id), '=', at2__text) AS r FROM torture FINAL WHERE _deleted = 0 AND at2__text IS NOT NULL AND empty(at2) ORDER BY id) FORMAT TabSeparated")).TrimEnd('\n');
        SentinelSync.Replication.ClickHouse.ClickHouseEscaping.UnescapeTsv(kept).ShouldBe(expected);
        const string warning = "column at2: a value its ClickHouse type cannot hold";
        await sentinel.WaitForLogAsync(warning);
        sentinel.Log.Split('\n').Count(l => l.Contains(warning, StringComparison.Ordinal)).ShouldBe(1, "warned once per column");
        using var http = new HttpClient();
        (await http.GetStringAsync(new Uri(scenario.Server, "metrics"))).ShouldContain("sentinel_sink_values_fallback");
    }
}
