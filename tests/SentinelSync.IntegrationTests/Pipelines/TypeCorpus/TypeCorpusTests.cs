using System.Text;
using SentinelSync.IntegrationTests.Postgres;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines.TypeCorpus;

/// <summary>
/// The type corpus through the real <c>sentinel run</c> process into a Postgres and a ClickHouse sink at once, both
/// empty (no types, no extensions): a snapshot interrupted by kill -9 (rows deleted at the source before the
/// restart must not survive as ghosts), the restarted snapshot, streamed inserts, updates of key and non-key
/// columns and deletes, then a truncate of every table and new rows. After each phase every Postgres table must be
/// byte-identical (<c>row::text</c> of every row) and every ClickHouse table equal to the source under the
/// documented mapping (<see cref="ClickHouseExpectation"/>), with nothing dead-lettered.
/// </summary>
public sealed class TypeCorpusTests(ITestOutputHelper output)
{
    /// <summary>Copied last and long enough that the kill lands while the snapshot is still running.</summary>
    private const string Filler = """
        CREATE TABLE public.zz_filler (id int PRIMARY KEY, pad text);
        INSERT INTO public.zz_filler SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 600000) g;
        """;

    [Fact]
    public async Task Every_type_as_key_and_as_value_replicates_exactly_to_Postgres_and_ClickHouse_through_a_killed_snapshot_and_streaming()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync(TypeCorpus.SourceTypes);
        await scenario.Source.ExecuteAsync(string.Join("\n", TypeCorpus.Cases.Select(c => c.Create + "\n" + c.Seed)) + Filler);

        await using (var first = await scenario.StartSentinelAsync())
        {
            await Eventually.WaitAsync(
                async () => await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'zz_filler'") == 1
                    && await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM zz_filler") > 0,
                TimeSpan.FromSeconds(120),
                () => "the snapshot copy to have written rows of zz_filler");
            await first.KillAsync();
        }

        var copied = await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM zz_filler");
        copied.ShouldBeLessThan(600_000, "the kill must interrupt the snapshot for this test to mean anything");

        // Rows the interrupted attempt may have copied, gone before the fresh snapshot: they must not stay at any sink.
        await scenario.Source.ExecuteAsync(string.Join("\n", TypeCorpus.Cases.Select(c => c.DeleteSecondSeedRow)));
        await using var sentinel = await scenario.StartSentinelAsync();
        await WaitForIdenticalAsync(scenario, sentinel, "restarted snapshot");
        await sentinel.WaitForLogAsync("restarting it (attempt 2)");

        await scenario.Source.ExecuteAsync(string.Join("\n", TypeCorpus.Cases.Select(c => c.InsertSecondSeedRow + "\n" + c.Stream)));
        await WaitForIdenticalAsync(scenario, sentinel, "streaming");

        await scenario.Source.ExecuteAsync($"TRUNCATE {string.Join(", ", TypeCorpus.Cases.Select(c => "public." + c.Table))};\n" + string.Join("\n", TypeCorpus.Cases.Select(c => c.Seed)));
        await WaitForIdenticalAsync(scenario, sentinel, "truncate and re-insert");

        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, sentinel.Log);
        (await TypeDefinitions.ReadAsync(scenario.Destination)).ShouldBe(await TypeDefinitions.ReadAsync(scenario.Source));
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        output.WriteLine($"{TypeCorpus.Cases.Length} types, {TypeCorpus.Cases.Count(c => c.Keyable)} of them as keys; killed after {copied} filler rows");
    }

    private static async Task WaitForIdenticalAsync(PipelineScenario scenario, SentinelProcess sentinel, string phase)
    {
        var differing = new List<string>();
        await Eventually.WaitAsync(
            async () =>
            {
                differing.Clear();
                foreach (var type in TypeCorpus.Cases)
                {
                    var source = await RowsAsync(scenario.Source, type);
                    var destination = await RowsAsync(scenario.Destination, type);
                    if (source != destination)
                    {
                        differing.Add($"Postgres {type.Table} ({type.Type}): source [{source}], destination [{destination ?? "no table"}]");
                    }

                    var expected = await ExpectedClickHouseRowsAsync(scenario.Source, type);
                    var clickHouse = await ClickHouseRowsAsync(scenario.ClickHouse!, type);
                    if (expected != clickHouse)
                    {
                        differing.Add($"ClickHouse {type.Table} ({type.Type}): expected [{expected}], ClickHouse [{clickHouse ?? "no table"}]");
                    }
                }

                return differing.Count == 0;
            },
            TimeSpan.FromSeconds(180),
            () => $"every corpus table identical after the {phase}; {differing.Count} differ:\n{string.Join("\n", differing)}\n{sentinel.LogTail(4000)}");
    }

    /// <summary>Every row's text, in text order; null while the table does not exist.</summary>
    private static async Task<string?> RowsAsync(PostgresDatabase database, TypeCase type)
    {
        try
        {
            return await database.ScalarAsync<string>($"SELECT coalesce(string_agg(t::text, ' ¦ ' ORDER BY t::text COLLATE \"C\"), '') FROM public.{type.Table} t");
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    private static IEnumerable<(string Column, string SourceSql)> ClickHouseColumns(TypeCase type) =>
        ClickHouseExpectation.Columns(type, "k").Concat(ClickHouseExpectation.Columns(type, "v"));

    /// <summary>The source's rows as ClickHouse must show them, one row per line in ordinal order; \N for NULL.</summary>
    private static async Task<string> ExpectedClickHouseRowsAsync(PostgresDatabase source, TypeCase type)
    {
        var fields = string.Join(", ' | ', ", ClickHouseColumns(type).Select(c => $"coalesce(({c.SourceSql})::text, '\\N')"));
        var rows = await source.ScalarAsync<string[]>($"SELECT coalesce(array_agg(concat({fields})), '{{}}') FROM public.{type.Table}");
        return string.Join("\n", rows.Order(StringComparer.Ordinal));
    }

    /// <summary>ClickHouse's live rows in the same form; null while the table does not exist.</summary>
    private static async Task<string?> ClickHouseRowsAsync(ClickHouseDatabase clickHouse, TypeCase type)
    {
        if (await clickHouse.ScalarAsync<long>($"SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = '{type.Table}'") == 0)
        {
            return null;
        }

        var columns = string.Join(", ", ClickHouseColumns(type).Select(c => $"`{c.Column}`"));
        var tsv = await clickHouse.QueryAsync($"SELECT {columns} FROM `{type.Table}` FINAL WHERE _deleted = 0 FORMAT TabSeparated");
        var rows = tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => string.Join(" | ", line.Split('\t').Zip(ClickHouseColumns(type)).Select(f => ClickHouseExpectation.IsArray(type, f.Second.Column) ? f.First : Unescape(f.First))));
        return string.Join("\n", rows.Order(StringComparer.Ordinal));
    }

    /// <summary>One TabSeparated field as its value; <c>\N</c> stays the NULL marker.</summary>
    private static string Unescape(string field)
    {
        if (field == "\\N")
        {
            return field;
        }

        var value = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i + 1 == field.Length)
            {
                value.Append(field[i]);
                continue;
            }

            value.Append(field[++i] switch { 't' => '\t', 'n' => '\n', 'r' => '\r', '0' => '\0', 'b' => '\b', 'f' => '\f', var other => other });
        }

        return value.ToString();
    }
}
