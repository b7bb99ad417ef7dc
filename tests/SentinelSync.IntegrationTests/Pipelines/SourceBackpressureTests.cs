using System.Globalization;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Testing;
using SentinelSync.Testing.Metrics;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// The source stops reading when the pipeline's sinks hold too much, counted over all tables together (not only per
/// table): a backlog spread over many tables must not fill the silo's memory while the destination is slow.
/// </summary>
public sealed class SourceBackpressureTests(ITestOutputHelper output)
{
    private const int RowsPerTable = 60_000;

    private const int Bound = SourceRunner.MaxQueuedChanges;
    private const int Flush = SinkGrain.MaxBatchChanges;
    private static readonly string[] s_tables = ["first", "second", "third"];

    [Fact]
    public async Task A_blocked_destination_stops_the_source_once_all_tables_together_hold_the_bound_and_nothing_is_lost()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        foreach (var table in s_tables)
        {
            await scenario.Source.ExecuteAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, name text NOT NULL); INSERT INTO {table} VALUES (0, 'created')");
        }

        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(300), [.. s_tables.Select(t => (t, "id"))]);
        using var http = new HttpClient { BaseAddress = sentinel.Address };

        // The destination blocks every apply until released; the source goes on reading into the sinks' queues.
        await using var blocker = await scenario.Destination.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var lockAll = blocker.CreateCommand())
        {
            lockAll.CommandText = $"LOCK TABLE {string.Join(", ", s_tables)} IN ACCESS EXCLUSIVE MODE";
            await lockAll.ExecuteNonQueryAsync();
        }

        // Each table's own queue stays under the per-table bound (60,000 < 100,000); the three together exceed it.
        foreach (var table in s_tables)
        {
            await scenario.Source.ExecuteAsync($"INSERT INTO {table} SELECT g, 'row ' || g FROM generate_series(1, {RowsPerTable}) g");
        }

        var seen = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var metrics = await ScrapeAsync(http);
                seen = string.Join(", ", s_tables.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t}: {Received(metrics, t)}")));
                return Received(metrics, "first") + Received(metrics, "second") > Bound - (2 * Flush);
            },
            TimeSpan.FromSeconds(600),
            () => $"the source to read the first two tables' changes into the blocked sinks (received so far: {seen})");

        // Unbounded across tables, the third table's 60,000 changes would follow within moments; a while of
        // nothing read shows the source waiting (a slow machine can only make this pass more easily, never fail).
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(15))
        {
            var metrics = await ScrapeAsync(http);
            var together = s_tables.Sum(t => Received(metrics, t)) - s_tables.Length;
            together.ShouldBeLessThanOrEqualTo(Bound + (4 * Flush), "all tables' changes together stay within the bound, plus one batch per table in the blocked apply and the flush that crossed it");
            await Task.Delay(500);
        }

        var held = await ScrapeAsync(http);
        output.WriteLine(string.Join(", ", s_tables.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t}: {Received(held, t)} received while blocked"))));
        Received(held, "third").ShouldBeLessThan(RowsPerTable, "the third table is held back while the others fill the bound");

        await blocking.RollbackAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(600), [.. s_tables.Select(t => (t, "id"))]);
    }

    private static long Received(ParsedExposition metrics, string table) =>
        (long)(metrics.Find("sentinel_pipeline_changes_received_total", ("pipeline", PipelineScenario.Pipeline), ("table", $"public.{table}"))?.Value ?? 0);

    private static async Task<ParsedExposition> ScrapeAsync(HttpClient http) =>
        ExpositionParser.Parse(await http.GetStringAsync("metrics"));
}
