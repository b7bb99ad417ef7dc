using SentinelSync.IntegrationTests.Postgres;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines.TypeCorpus;

/// <summary>
/// The type corpus through the real <c>sentinel run</c> process, Postgres to Postgres, into an empty destination
/// (no types, no extensions): snapshot, then streamed inserts, updates of key and non-key columns and deletes,
/// then a truncate of every table and new rows.
/// Every table must end byte-identical (<c>row::text</c> of every row), with nothing dead-lettered.
/// </summary>
public sealed class PostgresTypeCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_type_as_key_and_as_value_replicates_byte_identical_through_snapshot_and_streaming()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(TypeCorpus.SourceTypes);
        await scenario.Source.ExecuteAsync(string.Join("\n", TypeCorpus.Cases.Select(c => c.Create + "\n" + c.Seed)));

        await using var sentinel = await scenario.StartSentinelAsync();
        await WaitForIdenticalAsync(scenario, sentinel, "snapshot");

        await scenario.Source.ExecuteAsync(string.Join("\n", TypeCorpus.Cases.Select(c => c.Stream)));
        await WaitForIdenticalAsync(scenario, sentinel, "streaming");

        await scenario.Source.ExecuteAsync($"TRUNCATE {string.Join(", ", TypeCorpus.Cases.Select(c => "public." + c.Table))};\n" + string.Join("\n", TypeCorpus.Cases.Select(c => c.Seed)));
        await WaitForIdenticalAsync(scenario, sentinel, "truncate and re-insert");

        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, sentinel.Log);
        (await TypeDefinitions.ReadAsync(scenario.Destination)).ShouldBe(await TypeDefinitions.ReadAsync(scenario.Source));
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        output.WriteLine($"{TypeCorpus.Cases.Length} types, {TypeCorpus.Cases.Count(c => c.Keyable)} of them as keys");
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
                        differing.Add($"{type.Table} ({type.Type}): source [{source}], destination [{destination ?? "no table"}]");
                    }
                }

                return differing.Count == 0;
            },
            TimeSpan.FromSeconds(120),
            () => $"every corpus table identical after the {phase}; {differing.Count} differ:\n{string.Join("\n", differing)}\n{Tail(sentinel.Log)}");
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

    private static string Tail(string log) => log.Length <= 4000 ? log : log[^4000..];
}
