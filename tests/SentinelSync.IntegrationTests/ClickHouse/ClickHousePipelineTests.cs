using Npgsql;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>
/// Postgres to ClickHouse through the real <c>sentinel run</c> process. ClickHouse's live rows are compared with
/// the source's on columns whose text is the same on both sides (<see cref="PipelineScenario.SourceLiveRowsAsync"/>).
/// </summary>
public sealed class ClickHousePipelineTests(ITestOutputHelper output)
{
    private const string Items = "items";

    /// <summary>Workload's columns that read the same in both: bigint key, text, text, numeric(12,2) (not the timestamp).</summary>
    internal static readonly string[] s_columns = ["name", "price", "note"];

    internal static readonly string[] s_sums = ["id", "price"];

    [Fact]
    public async Task Snapshot_under_concurrent_writes_then_streaming_converge_in_ClickHouse()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 20_000);

        await using var workload = Workload.Start(scenario.Source);
        await using var sentinel = await scenario.StartSentinelAsync();
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > 200), TimeSpan.FromSeconds(30), () => "200 source commits while replicating");
        await workload.StopAsync();

        // The compared columns include note: updates of TOASTed rows stream without it, so ClickHouse converges only
        // if the sink completed it from the key's last row.
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(90), Items, "id", s_columns, s_sums);
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        var live = await scenario.ClickHouseLiveRowsAsync(Items, "id", s_columns, s_sums);
        output.WriteLine($"{workload.Commits} commits replicated; ClickHouse: {live}");
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0);
    }

    [Fact]
    public async Task Kill_minus_9_mid_stream_twice_then_ClickHouse_converges_with_no_key_visible_twice()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 5_000);
        await using var workload = Workload.Start(scenario.Source);

        for (var kill = 1; kill <= 2; kill++)
        {
            await using var sentinel = await scenario.StartSentinelAsync();
            var commits = workload.Commits;
            var rows = await scenario.ClickHouse!.ScalarAsync<long>("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'items'") == 1
                ? await scenario.ClickHouse.ScalarAsync<long>("SELECT count() FROM items")
                : 0;

            // Kill while ClickHouse is receiving: after new rows landed, with the workload still writing.
            await Eventually.WaitAsync(
                async () => workload.Commits > commits + 100
                    && await scenario.ClickHouse.ScalarAsync<long>("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'items'") == 1
                    && await scenario.ClickHouse.ScalarAsync<long>("SELECT count() FROM items") > rows + 100,
                TimeSpan.FromSeconds(60),
                () => $"100 commits and new rows in ClickHouse before kill {kill}");
            await sentinel.KillAsync();
        }

        await workload.StopAsync();
        await using (await scenario.StartSentinelAsync())
        {
            await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(90), Items, "id", s_columns, s_sums);
        }

        var live = await scenario.ClickHouseLiveRowsAsync(Items, "id", s_columns, s_sums);
        live!.Rows.ShouldBe(live.DistinctKeys);
        output.WriteLine($"{workload.Commits} commits, 2 kills; ClickHouse: {live}; physical rows {await scenario.ClickHouse!.ScalarAsync<long>("SELECT count() FROM items")}");
    }

    [Fact]
    public async Task With_the_Postgres_destination_locked_ClickHouse_keeps_receiving_then_both_converge_with_their_own_offsets()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 5_000);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), [(Items, "id")]);
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(60), Items, "id", s_columns, s_sums);

        // The copied rows can be in place before the snapshot's end (which builds the key and records the offset) is
        // applied: read the offset once that end is, or it moves under the lock taken next.
        await Eventually.WaitAsync(async () => await PostgresOffsetAsync(scenario) > 0, TimeSpan.FromSeconds(60), () => "the Postgres sink's offset to record the snapshot's end");
        var postgresBefore = await PostgresOffsetAsync(scenario);

        await using var blocker = await scenario.Destination.OpenConnectionAsync();
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE items IN EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            await using (var workload = Workload.Start(scenario.Source))
            {
                await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > 100), TimeSpan.FromSeconds(30), () => "100 commits while the Postgres destination is locked");
            }

            // ClickHouse converges to the source while the Postgres sink cannot write a single row.
            await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(60), Items, "id", s_columns, s_sums);
            var source = await PipelineScenario.ChecksumAsync(scenario.Source, Items, "id");
            var destination = await PipelineScenario.ChecksumAsync(scenario.Destination, Items, "id");
            destination.ShouldNotBe(source, "the locked Postgres destination cannot have the new changes");
            (await PostgresOffsetAsync(scenario)).ShouldBe(postgresBefore, "the Postgres sink's offset cannot move while its table is locked");
            var clickHouseOffset = await scenario.Control.ScalarAsync<decimal>($"SELECT (lsn - '0/0')::numeric FROM sentinel.clickhouse_offsets WHERE sink = '{PipelineScenario.ClickHouseSinkName}'");
            clickHouseOffset.ShouldBeGreaterThan(postgresBefore, "ClickHouse's offset moves on its own");

            // The slot is held back for the slower sink.
            var confirmed = await scenario.Source.ScalarAsync<decimal>($"SELECT (confirmed_flush_lsn - '0/0')::numeric FROM pg_replication_slots WHERE slot_name = '{scenario.Source.Name}'");
            confirmed.ShouldBeLessThan(clickHouseOffset, "the slot must not be confirmed past what the locked Postgres sink has not applied");
            await transaction.RollbackAsync();
        }

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), [(Items, "id")]);
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(30), Items, "id", s_columns, s_sums);
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
    }

    private static Task<decimal> PostgresOffsetAsync(PipelineScenario scenario) =>
        scenario.Destination.ScalarAsync<decimal>($"SELECT (position_lsn - '0/0')::numeric FROM \"_sentinel\".offsets WHERE sink = '{PipelineScenario.SinkName}'");
}
