using SentinelSync.IntegrationTests.ClickHouse;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// A snapshot interrupted by kill -9 restarts under a fresh snapshot: every destination table must end exactly
/// equal to the new snapshot plus the stream, with nothing left over from the interrupted copy.
/// </summary>
public sealed class SnapshotRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Rows_the_interrupted_copy_wrote_and_the_source_truncated_or_deleted_before_the_restart_are_gone_at_every_sink()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync(Workload.Schema + """
            CREATE TABLE gone (id int PRIMARY KEY, v text);
            INSERT INTO gone SELECT g, 'v' || g FROM generate_series(1, 50000) g;
            CREATE TABLE events (n int, v text);
            INSERT INTO events SELECT g, 'e' || g FROM generate_series(1, 50000) g;
            """);
        await Workload.SeedAsync(scenario.Source, 200_000);

        await using (var first = await scenario.StartSentinelAsync())
        {
            await Eventually.WaitAsync(
                async () => await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename IN ('items', 'gone', 'events')") == 3
                    && await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items") > 0
                    && await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM gone") > 0
                    && await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM events") > 0,
                TimeSpan.FromSeconds(60),
                () => "the snapshot copy to have written rows of every table");
            // A TRUNCATE during the copy waits for the copy's lock, and commits once the kill released it.
            var truncate = scenario.Source.ExecuteAsync("TRUNCATE gone");
            await Task.Delay(500);
            await first.KillAsync();
            await truncate;
            output.WriteLine($"killed after {await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items")} items, {await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM gone")} gone rows at the destination");
        }

        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items")).ShouldBeLessThan(200_000, "the kill must interrupt the copy for this test to mean anything");

        // Before the restart: one table emptied, most of the other deleted; the fresh snapshot sees neither.
        await scenario.Source.ExecuteAsync("INSERT INTO gone VALUES (1, 'after truncate'); DELETE FROM items WHERE id > 1000; UPDATE items SET name = 'changed' WHERE id % 5 = 0;");
        await using var second = await scenario.StartSentinelAsync();
        // events has no key: rows copied twice would stay twice.
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(180), ("items", "id"), ("gone", "id"), ("events", "n"));
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(120), "items", "id", ClickHousePipelineTests.s_columns, ClickHousePipelineTests.s_sums);
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(60), "gone", "id", ["v"], ["id"]);
        await Eventually.WaitAsync(
            async () => await scenario.ClickHouse!.ScalarAsync<long>("SELECT count() FROM events") == 50_000,
            TimeSpan.FromSeconds(60),
            () => "ClickHouse's keyless events table to hold each source row once");
        (await scenario.ClickHouse!.ScalarAsync<long>("SELECT uniqExact(n) FROM events")).ShouldBe(50_000);
        await second.WaitForLogAsync("restarting it (attempt 2)");
    }
}
