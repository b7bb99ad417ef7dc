using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// A table of narrow rows packs over 100,000 rows into one snapshot copy chunk (about 1 MiB of text), more than the
/// source lets its sinks hold before it reads on. The sink must account for a copy as soon as the destination
/// committed it, not only when the next batch arrives: otherwise the source waits for room that never comes and the
/// sink's worker spins on the finished copy (a hang found on 2026-12-02 with a lower queue bound).
/// </summary>
public sealed class NarrowSnapshotTests
{
    [Fact]
    public async Task A_table_whose_copy_chunks_each_exceed_the_source_queue_bound_is_copied_whole_and_then_streams()
    {
        const int rows = 400_000;
        await using var scenario = await PipelineScenario.CreateAsync(tables: "public.narrow", sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync($"CREATE TABLE narrow (id int PRIMARY KEY); INSERT INTO narrow SELECT generate_series(1, {rows});");

        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(120), ("narrow", "id"));
        await WaitForClickHouseAsync(scenario, rows, (long)rows * (rows + 1) / 2);

        await scenario.Source.ExecuteAsync($"INSERT INTO narrow VALUES ({rows + 1}); DELETE FROM narrow WHERE id = 1;");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("narrow", "id"));
        await WaitForClickHouseAsync(scenario, rows, ((long)rows * (rows + 1) / 2) + rows);
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM narrow")).ShouldBe(rows);
    }

    /// <summary>ClickHouse's live rows of <c>narrow</c> by count and sum (the scenario's convergence helper hashes the columns beside the key, and narrow has none).</summary>
    private static Task WaitForClickHouseAsync(PipelineScenario scenario, long rows, long sum) =>
        Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await scenario.ClickHouse!.ScalarAsync<string>("SELECT concat(toString(count()), ' ', toString(sum(id))) FROM narrow FINAL WHERE _deleted = 0") == $"{rows} {sum}";
                }
                catch (Exception e) when (ClickHouseDatabase.IsMissingTable(e))
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            () => $"ClickHouse to hold {rows:N0} live rows of narrow summing to {sum:N0}");
}
