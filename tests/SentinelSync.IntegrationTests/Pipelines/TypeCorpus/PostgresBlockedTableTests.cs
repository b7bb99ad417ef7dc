using SentinelSync.IntegrationTests.Postgres.Sink;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Pipelines.TypeCorpus;

/// <summary>
/// A table whose type the destination may not create waits, with its changes in the slot and none
/// dead-lettered, while the other tables flow; it catches up by itself once an operator fixes the destination.
/// (During the initial snapshot the pipeline streams nothing until every table's copy is applied, so there a
/// blocked table holds the others back too, still without dead letters: the source's rule, not the sink's.)
/// </summary>
public sealed class PostgresBlockedTableTests
{
    [Fact]
    public async Task A_type_the_destination_may_not_create_blocks_only_its_table_without_dead_letters_until_fixed()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync("""
            CREATE EXTENSION earthdistance CASCADE;
            CREATE TABLE public.places (id integer PRIMARY KEY, name text);
            CREATE TABLE public.plain (id integer PRIMARY KEY, name text);
            INSERT INTO public.places SELECT g, 'place ' || g FROM generate_series(1, 50) g;
            INSERT INTO public.plain SELECT g, 'row ' || g FROM generate_series(1, 50) g;
            """);

        // The sink connects as a role that owns the destination database but is no superuser, and earthdistance
        // is not a trusted extension.
        await using var role = await LimitedRole.CreateAsync(scenario.Destination);
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        await File.WriteAllTextAsync(scenario.ConfigFile, config.Replace(scenario.Destination.ConnectionString, role.ConnectionString, StringComparison.Ordinal));

        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("public.places", "id"), ("public.plain", "id"));

        // A column of a type the destination lacks arrives while streaming.
        await scenario.Source.ExecuteAsync("""
            ALTER TABLE public.places ADD COLUMN spot earth;
            UPDATE public.places SET spot = ll_to_earth(id, id) WHERE id <= 10;
            DELETE FROM public.places WHERE id = 50;
            """);
        await scenario.Source.ExecuteAsync("INSERT INTO public.plain VALUES (51, 'later'); UPDATE public.plain SET name = 'changed' WHERE id = 1");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("public.plain", "id"));

        using var http = new HttpClient();
        var report = "";
        await Eventually.WaitAsync(
            async () =>
            {
                report = await http.GetStringAsync(new Uri(scenario.Server, "/api/pipelines"));
                return report.Contains("type earth", StringComparison.Ordinal) && report.Contains("CREATE EXTENSION IF NOT EXISTS earthdistance", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(30),
            () => $"/api/pipelines to name the blocked table's type and the fix; last: {report}");
        report.ShouldContain("public.places");
        (await BlockedGaugeAsync(http, scenario)).ShouldContain("table=\"public.places\"");
        await sentinel.WaitForLogAsync("Table public.places is blocked");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM public.places")).ShouldBe(50, "nothing of the blocked table is applied");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.places'::regclass AND attname = 'spot'")).ShouldBe(0);
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "a table the destination cannot hold yet is not its changes' fault");

        // The operator's fix; the sink's next retry (backoff up to 45 s) adds the column and applies everything.
        await scenario.Destination.ExecuteAsync("CREATE EXTENSION earthdistance CASCADE");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("public.places", "id"), ("public.plain", "id"));
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0);
        // The sink clears the gauge right after the commit that made the rows visible: look until it has.
        var blocked = "";
        await Eventually.WaitAsync(
            async () => (blocked = await BlockedGaugeAsync(http, scenario)).Length == 0,
            TimeSpan.FromSeconds(30),
            () => $"the table to be no longer blocked; the gauge still reads: {blocked}");
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
    }

    /// <summary>The samples of the blocked-tables gauge on the silo's /metrics.</summary>
    private static async Task<string> BlockedGaugeAsync(HttpClient http, PipelineScenario scenario)
    {
        var metrics = await http.GetStringAsync(new Uri(scenario.Server, "/metrics"));
        return string.Join("\n", metrics.Split('\n').Where(l => l.StartsWith("sentinel_sink_tables_blocked{", StringComparison.Ordinal)));
    }
}
