using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// Column renames, drops and adds through the real process, told apart by the source's attribute numbers: a
/// dropped column's values never reappear under a new column's name, and a renamed column keeps its values.
/// Each test starts from <c>t (id int primary key, n int, a text)</c> with three rows, converged.
/// </summary>
public sealed class SchemaChangePipelineTests
{
    private const string Seed = """
        CREATE TABLE t (id int PRIMARY KEY, n int, a text);
        INSERT INTO t VALUES (1, 1, 'old1'), (2, 2, 'old2'), (3, 3, 'old3');
        """;

    [Fact]
    public async Task A_renamed_column_keeps_its_values()
    {
        await using var scenario = await SeededAsync();
        await using var sentinel = await StartConvergedAsync(scenario);

        await scenario.Source.ExecuteAsync("ALTER TABLE t RENAME COLUMN a TO b; UPDATE t SET n = n + 10 WHERE id = 1");

        await WaitForSameAsync(scenario, "id, n, b", "1|11|old1,2|2|old2,3|3|old3");
    }

    [Fact]
    public async Task A_column_dropped_and_one_of_the_same_type_added_last_is_NULL_in_old_rows()
    {
        await using var scenario = await SeededAsync();
        await using var sentinel = await StartConvergedAsync(scenario);

        await scenario.Source.ExecuteAsync("ALTER TABLE t DROP COLUMN a; ALTER TABLE t ADD COLUMN b text; UPDATE t SET n = n + 10 WHERE id = 1; INSERT INTO t VALUES (4, 4, 'new4')");

        await WaitForSameAsync(scenario, "id, n, b", "1|11|∅,2|2|∅,3|3|∅,4|4|new4");
    }

    [Fact]
    public async Task A_drop_and_an_add_with_a_rename_between_keep_the_renamed_values_and_not_the_dropped_ones()
    {
        await using var scenario = await SeededAsync();
        await using var sentinel = await StartConvergedAsync(scenario);

        await scenario.Source.ExecuteAsync("ALTER TABLE t DROP COLUMN a; ALTER TABLE t RENAME COLUMN n TO m; ALTER TABLE t ADD COLUMN b text; UPDATE t SET m = m + 10 WHERE id = 1");

        await WaitForSameAsync(scenario, "id, m, b", "1|11|∅,2|2|∅,3|3|∅");
    }

    [Fact]
    public async Task A_rename_with_a_type_change_keeps_its_values()
    {
        await using var scenario = await SeededAsync();
        await using var sentinel = await StartConvergedAsync(scenario);

        await scenario.Source.ExecuteAsync("ALTER TABLE t RENAME COLUMN a TO note; ALTER TABLE t ALTER COLUMN note TYPE varchar(100); UPDATE t SET n = n + 10 WHERE id = 1");

        await WaitForSameAsync(scenario, "id, n, note", "1|11|old1,2|2|old2,3|3|old3");
        (await scenario.Destination.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'note'"))
            .ShouldBe("character varying(100)");
    }

    [Fact]
    public async Task In_ClickHouse_a_dropped_columns_values_do_not_reappear_and_a_renamed_one_keeps_them()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync(Seed);
        await using var sentinel = await scenario.StartSentinelAsync();
        await WaitForClickHouseAsync(scenario, "id, n, a", "1|1|old1,2|2|old2,3|3|old3");

        await scenario.Source.ExecuteAsync("ALTER TABLE t DROP COLUMN a; ALTER TABLE t ADD COLUMN b text; ALTER TABLE t RENAME COLUMN n TO m; UPDATE t SET m = m + 10 WHERE id = 1");

        await WaitForClickHouseAsync(scenario, "id, m, b", "1|11|∅,2|2|∅,3|3|∅");
    }

    [Fact]
    public async Task When_the_catalog_moved_on_before_the_change_is_read_the_table_stops_until_a_resync()
    {
        await using var scenario = await SeededAsync();
        await using (var first = await StartConvergedAsync(scenario))
        {
            (await first.StopAsync()).ShouldBe(0, first.Log);
        }

        // While nothing reads the slot: a rename with a change under it, then that column dropped and another
        // added. Read afterwards, the first change's columns (id, n, b) can no longer be told from the catalog.
        await scenario.Source.ExecuteAsync("ALTER TABLE t RENAME COLUMN a TO b; UPDATE t SET n = n + 10 WHERE id = 1");
        await scenario.Source.ExecuteAsync("ALTER TABLE t DROP COLUMN b; ALTER TABLE t ADD COLUMN c text; UPDATE t SET n = n + 10, c = 'c2' WHERE id = 2; INSERT INTO t (id, n) VALUES (4, 4)");
        await using var sentinel = await scenario.StartSentinelAsync();
        await sentinel.WaitForLogAsync("table public.t stopped: the source cannot tell for sure", TimeSpan.FromSeconds(60));
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM t")).ShouldBe(3, "nothing of the stopped table is applied");
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "a stopped table is not dead-lettered");
        var error = "";
        await Eventually.WaitAsync(
            async () =>
            {
                using var http = new HttpClient { BaseAddress = scenario.Server };
                error = (await http.GetFromJsonAsync<JsonElement>("api/pipelines")).GetProperty("pipelines")[0].GetProperty("error").GetString() ?? "";
                return error.Contains("table public.t stopped", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(30),
            () => $"/api/pipelines to report the stopped table; error: {error}");
        error.ShouldContain("sentinel resync p public.t");

        var (exitCode, text) = await SentinelProcess.RunVerbAsync("resync", PipelineScenario.Pipeline, "public.t", "--server", scenario.Server.ToString(), "--json");
        exitCode.ShouldBe(0, text);
        await WaitForSameAsync(scenario, "id, n, c", "1|11|∅,2|12|c2,3|3|∅,4|4|∅");
        await sentinel.WaitForLogAsync("table public.t resumes with its resync");
    }

    private static async Task<PipelineScenario> SeededAsync([System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        var scenario = await PipelineScenario.CreateAsync(name: name);
        await scenario.Source.ExecuteAsync(Seed);
        return scenario;
    }

    private static async Task<SentinelProcess> StartConvergedAsync(PipelineScenario scenario)
    {
        var sentinel = await scenario.StartSentinelAsync();
        await WaitForSameAsync(scenario, "id, n, a", "1|1|old1,2|2|old2,3|3|old3");
        // Copied rows show before the snapshot is complete (the key is built last): streaming means it is.
        await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(60));
        return sentinel;
    }

    /// <summary>Waits until source and destination both show <paramref name="expected"/> for these columns (NULL as ∅).</summary>
    private static async Task WaitForSameAsync(PipelineScenario scenario, string columns, string expected)
    {
        var sql = $"SELECT string_agg(concat_ws('|', {string.Join(", ", columns.Split(", ").Select(c => $"coalesce({c}::text, '∅')"))}), ',' ORDER BY id) FROM t";
        (await scenario.Source.ScalarAsync<string>(sql)).ShouldBe(expected, "the source itself");
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    last = await scenario.Destination.ScalarAsync<string>(sql);
                }
                catch (Npgsql.PostgresException e) when (e.SqlState is Npgsql.PostgresErrorCodes.UndefinedTable or Npgsql.PostgresErrorCodes.UndefinedColumn)
                {
                    last = e.MessageText;
                }

                return last == expected;
            },
            TimeSpan.FromSeconds(60),
            () => $"the destination's ({columns}) to be {expected}; last seen: {last}");
    }

    private static async Task WaitForClickHouseAsync(PipelineScenario scenario, string columns, string expected)
    {
        var sql = $"SELECT arrayStringConcat(groupArray(r), ',') FROM (SELECT concat({string.Join(", '|', ", columns.Split(", ").Select(c => $"ifNull(toString({c}), '∅')"))}) AS r FROM t FINAL WHERE _deleted = 0 ORDER BY id) FORMAT TabSeparated";
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    last = (await scenario.ClickHouse!.QueryAsync(sql)).TrimEnd('\n');
                }
                catch (InvalidOperationException e)
                {
                    last = e.Message;
                }

                return last == expected;
            },
            TimeSpan.FromSeconds(60),
            () => $"ClickHouse's ({columns}) to be {expected}; last seen: {last}");
    }
}
