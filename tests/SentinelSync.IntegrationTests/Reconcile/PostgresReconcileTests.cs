using System.Text.Json;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Reconcile;

/// <summary>
/// <c>sentinel reconcile</c> against the real <c>sentinel run</c> and a Postgres sink: drift made behind the
/// pipeline's back (deleted, extra and changed rows, TOASTed and NULL values included) is found exactly, key by
/// key, and repaired in stream order; composite text keys with quotes and backslashes.
/// </summary>
public sealed class PostgresReconcileTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Drift_injected_at_the_destination_is_found_exactly_then_repaired_and_a_second_run_finds_none()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 25_000);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));

        var clean = await ReconcileApi.RunAsync(scenario, new { mode = "checksum" });
        output.WriteLine(clean.ToString());
        clean.GetProperty("status").GetString().ShouldBe("ok");
        var cleanTable = ReconcileApi.Table(clean, "public.items");
        cleanTable.GetProperty("chunks").GetInt32().ShouldBe(3);
        cleanTable.GetProperty("sourceRows").GetInt64().ShouldBe(25_000);
        clean.GetProperty("rowsChecked").GetInt64().ShouldBe(25_000);

        // Rows 10, 20, 30 ... carry a TOASTed note (4 kB, stored EXTERNAL).
        await scenario.Destination.ExecuteAsync("""
            DELETE FROM items WHERE id IN (7, 12345);
            INSERT INTO items (id, name, price, note, updated_at) VALUES (9000001, 'stray', 1, NULL, now()), (24999999, 'stray', NULL, repeat('x', 5000), now());
            UPDATE items SET name = 'drifted' WHERE id = 501;
            UPDATE items SET note = note || 'x' WHERE id = 1000;
            UPDATE items SET note = NULL WHERE id = 20000;
            UPDATE items SET price = NULL WHERE id = 777;
            """);

        var (exitCode, text) = await SentinelProcess.RunVerbAsync("reconcile", PipelineScenario.Pipeline, "--mode", "rows", "--server", scenario.Server.ToString(), "--json");
        output.WriteLine(text);
        exitCode.ShouldBe(5, text);
        var found = JsonDocument.Parse(text).RootElement;
        found.GetProperty("status").GetString().ShouldBe("drift");
        var items = ReconcileApi.Table(found, "public.items");
        ReconcileApi.Keys(items, "missing").ShouldBe(["12345", "7"]);
        ReconcileApi.Keys(items, "extra").ShouldBe(["24999999", "9000001"]);
        ReconcileApi.Keys(items, "different").ShouldBe(["1000", "20000", "501", "777"]);
        items.GetProperty("driftRows").GetInt64().ShouldBe(8);
        items.GetProperty("unsettled").GetInt64().ShouldBe(0);
        found.GetProperty("driftRows").GetInt64().ShouldBe(8);

        var repaired = await ReconcileApi.RunAsync(scenario, new { mode = "rows", repair = true });
        output.WriteLine(repaired.ToString());
        repaired.GetProperty("status").GetString().ShouldBe("repaired");
        var repair = ReconcileApi.Table(repaired, "public.items").GetProperty("repair");
        repair.GetProperty("upserted").GetInt32().ShouldBe(6);
        repair.GetProperty("deleted").GetInt32().ShouldBe(2);
        repair.GetProperty("remaining").GetInt32().ShouldBe(0);

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), ("items", "id"));
        var after = await ReconcileApi.RunAsync(scenario, new { mode = "rows" });
        after.GetProperty("status").GetString().ShouldBe("ok", after.ToString());
        await sentinel.WaitForLogAsync("repair of public.items done: 6 row(s) copied again, 2 deleted");
    }

    [Fact]
    public async Task Composite_text_keys_are_ranged_and_repaired_exactly_quotes_backslashes_and_all()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync("""
            CREATE TABLE stock (region text, code integer, tag text, qty numeric(12,3), seen timestamptz, PRIMARY KEY (region, code, tag));
            INSERT INTO stock SELECT r, g, CASE WHEN g % 3 = 0 THEN E'q''uo\\te' ELSE 't' || (g % 7) END, g / 7.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
            FROM unnest(ARRAY['north', 'South', E'we\\st', 'é-east', 'Z''s']) r, generate_series(1, 5000) g;
            """);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("stock", "region, code, tag"));

        await scenario.Destination.ExecuteAsync("""
            DELETE FROM stock WHERE region = E'we\\st' AND code = 3;
            UPDATE stock SET qty = 0 WHERE region = 'Z''s' AND code = 4999;
            UPDATE stock SET seen = NULL WHERE region = 'north' AND code = 1;
            INSERT INTO stock VALUES (E'we\\st', 3, 'extra', 1, now());
            """);

        var found = await ReconcileApi.RunAsync(scenario, new { mode = "rows", tables = new[] { "stock" } });
        output.WriteLine(found.ToString());
        var stock = ReconcileApi.Table(found, "public.stock");
        stock.GetProperty("chunks").GetInt32().ShouldBe(3);
        ReconcileApi.Keys(stock, "missing").ShouldBe(["we\\st|3|q'uo\\te"]);
        ReconcileApi.Keys(stock, "extra").ShouldBe(["we\\st|3|extra"]);
        ReconcileApi.Keys(stock, "different").ShouldBe(["north|1|t1", "Z's|4999|t1"], ignoreOrder: true);

        var repaired = await ReconcileApi.RunAsync(scenario, new { mode = "checksum", repair = true, tables = new[] { "public.stock" } });
        output.WriteLine(repaired.ToString());
        repaired.GetProperty("status").GetString().ShouldBe("repaired");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), ("stock", "region, code, tag"));
        (await ReconcileApi.RunAsync(scenario, new { mode = "rows" })).GetProperty("status").GetString().ShouldBe("ok");
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_the_reason()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema + "CREATE TABLE logbook (line text);");
        await Workload.SeedAsync(scenario.Source, 10);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
        var server = scenario.Server.ToString();

        var countRepair = await SentinelProcess.RunVerbAsync("reconcile", "p", "--mode", "count", "--repair", "--server", server);
        countRepair.ExitCode.ShouldBe(2, countRepair.Output);
        countRepair.Output.ShouldContain("--repair needs keys");

        var unknownPipeline = await SentinelProcess.RunVerbAsync("reconcile", "nopipe", "--server", server);
        unknownPipeline.ExitCode.ShouldBe(2, unknownPipeline.Output);
        unknownPipeline.Output.ShouldContain("No pipeline 'nopipe'");

        var unknownTable = await ReconcileApi.RunAsync(scenario, new { tables = new[] { "nosuch" } });
        unknownTable.GetProperty("status").GetString().ShouldBe("failed");
        unknownTable.GetProperty("error").GetString()!.ShouldContain("does not replicate nosuch");

        // A table without a key can only be counted; counting it works.
        var keyless = await ReconcileApi.RunAsync(scenario, new { mode = "checksum", tables = new[] { "logbook" } });
        keyless.GetProperty("error").GetString()!.ShouldContain("only mode count can check it");
        var counted = await ReconcileApi.RunAsync(scenario, new { mode = "count" });
        counted.GetProperty("status").GetString().ShouldBe("ok", counted.ToString());

        var status = await SentinelProcess.RunVerbAsync("reconcile", "status", "--pipeline", "p", "--server", server, "--json");
        status.ExitCode.ShouldBe(0, status.Output);
        JsonDocument.Parse(status.Output).RootElement.GetArrayLength().ShouldBe(3);
    }
}
