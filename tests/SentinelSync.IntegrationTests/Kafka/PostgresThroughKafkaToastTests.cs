using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// An update that leaves a TOASTed <c>numeric</c> unchanged, through Postgres → Kafka sink (Debezium JSON) → mock
/// cluster → Kafka source → Postgres in one real <c>sentinel run</c>. Debezium's placeholder fits only string and bytes
/// fields; writing null instead told every consumer (ours included) to erase the value. The sink now refuses the
/// change into the dead-letter queue, saying to use REPLICA IDENTITY FULL, and the destination keeps its value.
/// </summary>
public sealed class PostgresThroughKafkaToastTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(180);

    private const string Compared = "SELECT id, label, md5(huge::text) FROM public.ledger ORDER BY id";

    [Fact]
    public async Task An_unchanged_toasted_numeric_is_dead_lettered_by_the_json_sink_and_never_nulled_at_the_destination()
    {
        await using var trip = await KafkaRoundTrip.CreateAsync();
        var (source, destination) = (trip.Source, trip.Destination);
        await trip.CreateTopicAsync("public.ledger", 1);

        // 6,000 digits make a numeric of about 3 kB: storage external moves it out of line uncompressed, so an update
        // that leaves it alone sends pgoutput's "unchanged" marker instead of the value.
        await source.ExecuteAsync("""
            CREATE TABLE public.ledger (id integer PRIMARY KEY, label text NOT NULL, huge numeric);
            ALTER TABLE public.ledger ALTER COLUMN huge SET STORAGE EXTERNAL;
            INSERT INTO public.ledger SELECT i, 'row ' || i, (repeat('9', 6000) || '.' || i)::numeric FROM generate_series(1, 3) i;
            """);
        var (file, port) = await trip.WriteConfigAsync("format: debezium-json", "format: debezium-json");
        await using var sentinel = await SentinelProcess.StartAsync(file, port);
        await WaitForRowsAsync(destination, await RowsAsync(source), sentinel, "the snapshot at the destination");
        var before = await RowsAsync(source);

        // Row 1: huge unchanged (refused). Row 2: huge rewritten (sent whole). Row 4: new. Both must flow past row 1.
        await source.ExecuteAsync("UPDATE public.ledger SET label = 'relabelled' WHERE id = 1");
        await source.ExecuteAsync("UPDATE public.ledger SET label = 'rewritten', huge = huge + 1 WHERE id = 2");
        await source.ExecuteAsync("INSERT INTO public.ledger VALUES (4, 'new', 1.5)");
        var after = await RowsAsync(source);
        List<string> expected = [before[0], .. after.Skip(1)];
        await WaitForRowsAsync(destination, expected, sentinel, "rows 2 to 4 changed at the destination, row 1 as before its refused update");

        var letters = await trip.Control.RowsAsync("SELECT sink || '|' || source_table || '|' || error FROM sentinel.dead_letter ORDER BY id");
        output.WriteLine(string.Join('\n', letters));
        letters.Count.ShouldBe(1, sentinel.Log);
        letters[0].ShouldStartWith("bus|public.ledger|column huge of public.ledger: an unchanged TOAST value of type numeric");
        letters[0].ShouldContain("use REPLICA IDENTITY FULL");
        (await destination.ScalarAsync<long>("SELECT count(*) FROM public.ledger WHERE huge IS NULL")).ShouldBe(0);
    }

    private static Task<List<string>> RowsAsync(PostgresDatabase database) => database.RowsAsync(Compared);

    private static Task WaitForRowsAsync(PostgresDatabase destination, List<string> expected, SentinelProcess sentinel, string what) =>
        KafkaRoundTrip.WaitForEqualAsync(what, () => Task.FromResult(expected), () => RowsAsync(destination), sentinel, s_within);
}
