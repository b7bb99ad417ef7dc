using System.Globalization;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Reconcile;

/// <summary>
/// Reconcile while pgbench writes at full speed: replication lag is never reported as drift, and a repair of
/// drifted rows in stream order leaves the destination equal to the source once the load stops.
/// </summary>
public sealed class ReconcileUnderLoadTests(ITestOutputHelper output)
{
    private static readonly (string Table, string OrderBy)[] s_tables =
        [("pgbench_accounts", "aid"), ("pgbench_branches", "bid"), ("pgbench_tellers", "tid"), ("pgbench_history", "id")];

    [Fact]
    public async Task Under_a_pgbench_load_no_false_drift_is_reported_and_a_repair_leaves_no_drift()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await Pgbench.RunAsync(scenario.Source, "-i", "-s", "2", "-q");
        await scenario.Source.ExecuteAsync("ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY");
        await using var sentinel = await scenario.StartSentinelAsync();

        // pgbench_history is empty until the load: its destination table is created with its first row.
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(120), s_tables[..3]);

        using var stop = new CancellationTokenSource();
        var load = Task.Run(() => Pgbench.RunAsync(scenario.Source, "-c", "2", "-j", "1", "-T", "120", "-n"));
        await Eventually.WaitAsync(
            async () => await scenario.Source.ScalarAsync<long>("SELECT count(*) FROM pgbench_history") > 1000,
            TimeSpan.FromSeconds(60),
            () => "pgbench to get going");

        var underLoad = await ReconcileApi.RunAsync(scenario, new { mode = "rows" });
        output.WriteLine(underLoad.ToString());
        underLoad.GetProperty("driftRows").GetInt64().ShouldBe(0, "lag is not drift");
        underLoad.GetProperty("status").GetString().ShouldBeOneOf("ok", "unsettled");
        foreach (var table in underLoad.GetProperty("tables").EnumerateArray())
        {
            table.GetProperty("status").GetString().ShouldBeOneOf("ok", "unsettled");
        }

        // Accounts above 150,000 are rarely touched in the run's time; a few of them drift at the destination.
        await scenario.Destination.ExecuteAsync("""
            DELETE FROM pgbench_accounts WHERE aid IN (150001, 175002);
            UPDATE pgbench_accounts SET abalance = abalance + 7 WHERE aid IN (160003, 190004);
            UPDATE pgbench_accounts SET filler = NULL WHERE aid = 199999;
            INSERT INTO pgbench_accounts VALUES (900001, 1, 0, 'stray');
            """);
        var repaired = await ReconcileApi.RunAsync(scenario, new { mode = "rows", repair = true, tables = new[] { "pgbench_accounts" } });
        output.WriteLine(repaired.ToString());
        var accounts = ReconcileApi.Table(repaired, "public.pgbench_accounts");
        accounts.GetProperty("status").GetString().ShouldBe("repaired");
        accounts.GetProperty("driftRows").GetInt64().ShouldBeGreaterThanOrEqualTo(5, "the untouched drifted rows at least");
        accounts.GetProperty("repair").GetProperty("deleted").GetInt32().ShouldBeGreaterThanOrEqualTo(1, "the stray account");
        ReconcileApi.Keys(accounts, "extra").ShouldContain("900001");
        var pgbench = await load;
        output.WriteLine(pgbench);

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(120), s_tables);
        var after = await ReconcileApi.RunAsync(scenario, new { mode = "checksum" });
        output.WriteLine(after.ToString());
        after.GetProperty("status").GetString().ShouldBe("ok");
        after.GetProperty("rowsChecked").GetInt64().ShouldBeGreaterThan(200_000);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"under load: {underLoad.GetProperty("seconds")} s; repair: {repaired.GetProperty("seconds")} s"));
    }
}
