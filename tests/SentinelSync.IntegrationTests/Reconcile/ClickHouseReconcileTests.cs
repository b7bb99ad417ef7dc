using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Reconcile;

/// <summary>
/// Reconcile against a ClickHouse sink: its live rows (<c>FINAL</c>, tombstones excluded) compared with the source
/// in the text both agree on; drift written into ClickHouse as newer versions (a changed row, a NULL where a
/// TOASTed value was, a tombstone, a stray key) found exactly and repaired.
/// </summary>
public sealed class ClickHouseReconcileTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Drift_in_ClickHouse_is_found_exactly_and_repaired_while_the_Postgres_sink_stays_equal()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 20_000);
        await scenario.Source.ExecuteAsync("UPDATE items SET price = 'NaN'::numeric WHERE id = 3; UPDATE items SET updated_at = '2024-02-29 12:34:56.789012+05:30' WHERE id = 4");
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));

        // No wait for ClickHouse: a reconcile compares at a point both sinks have applied.
        var clean = await ReconcileApi.RunAsync(scenario, new { mode = "checksum" });
        output.WriteLine(clean.ToString());
        clean.GetProperty("status").GetString().ShouldBe("ok");
        var cleanClickHouse = ReconcileApi.Table(clean, "public.items", PipelineScenario.ClickHouseSinkName);
        cleanClickHouse.GetProperty("destinationRows").GetInt64().ShouldBe(20_000);
        cleanClickHouse.GetProperty("chunks").GetInt32().ShouldBe(2);

        var clickHouse = scenario.ClickHouse!;
        await DriftAsync(clickHouse, 501, new() { ["name"] = "'drifted'" });
        await DriftAsync(clickHouse, 20, new() { ["note"] = "NULL" });
        await DriftAsync(clickHouse, 4, new() { ["updated_at__us"] = "updated_at__us + 1" });
        await DriftAsync(clickHouse, 77, new() { ["_deleted"] = "1" });
        await DriftAsync(clickHouse, 78, new() { ["id"] = "9000001" });

        var found = await ReconcileApi.RunAsync(scenario, new { mode = "rows", sink = PipelineScenario.ClickHouseSinkName });
        output.WriteLine(found.ToString());
        found.GetProperty("status").GetString().ShouldBe("drift");
        found.GetProperty("tables").GetArrayLength().ShouldBe(1);
        var items = ReconcileApi.Table(found, "public.items", PipelineScenario.ClickHouseSinkName);
        ReconcileApi.Keys(items, "missing").ShouldBe(["77"]);
        ReconcileApi.Keys(items, "extra").ShouldBe(["9000001"]);
        ReconcileApi.Keys(items, "different").ShouldBe(["20", "4", "501"]);

        var repaired = await ReconcileApi.RunAsync(scenario, new { mode = "rows", repair = true, sink = PipelineScenario.ClickHouseSinkName });
        output.WriteLine(repaired.ToString());
        repaired.GetProperty("status").GetString().ShouldBe("repaired");
        var repair = ReconcileApi.Table(repaired, "public.items", PipelineScenario.ClickHouseSinkName).GetProperty("repair");
        repair.GetProperty("upserted").GetInt32().ShouldBe(4);
        repair.GetProperty("deleted").GetInt32().ShouldBe(1);
        repair.GetProperty("remaining").GetInt32().ShouldBe(0);

        var after = await ReconcileApi.RunAsync(scenario, new { mode = "rows" });
        after.GetProperty("status").GetString().ShouldBe("ok", after.ToString());
        after.GetProperty("tables").GetArrayLength().ShouldBe(2);
    }

    /// <summary>Writes a newer version of a live row with some columns replaced, as drift the stream never made.</summary>
    private static async Task DriftAsync(ClickHouseDatabase clickHouse, long id, Dictionary<string, string> replace)
    {
        var columns = (await clickHouse.QueryAsync($"SELECT name FROM system.columns WHERE database = '{clickHouse.Name}' AND table = 'items' FORMAT TabSeparated"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        replace.TryAdd("_version", "_version + 1");
        var select = string.Join(", ", columns.Select(c => replace.GetValueOrDefault(c, $"`{c}`")));
        await clickHouse.QueryAsync($"INSERT INTO items ({string.Join(", ", columns.Select(c => $"`{c}`"))}) SELECT {select} FROM items FINAL WHERE id = {id} AND _deleted = 0");
    }
}
