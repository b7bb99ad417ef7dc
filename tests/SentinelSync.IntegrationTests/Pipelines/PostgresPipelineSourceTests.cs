using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>The capture side under stress, end to end: interrupted snapshots, huge transactions, idle sources.</summary>
public sealed class PostgresPipelineSourceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_crash_during_the_snapshot_restarts_it_and_nothing_is_lost()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 300_000);

        await using (var first = await scenario.StartSentinelAsync())
        {
            await Eventually.WaitAsync(
                async () => await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'items'") == 1
                    && await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items") > 0,
                TimeSpan.FromSeconds(60),
                () => "the snapshot copy to have started");
            var copied = await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items");
            await first.KillAsync();
            output.WriteLine($"killed after {copied} of 300000 rows");
            copied.ShouldBeLessThan(300_000, "the kill must interrupt the copy for this test to mean anything");
        }

        // Changes made between the crash and the restart: the restarted copy and the stream must both be right.
        await scenario.Source.ExecuteAsync("DELETE FROM items WHERE id % 7 = 0; UPDATE items SET name = 'changed' WHERE id % 5 = 0; INSERT INTO items (id, name) VALUES (999999, 'late')");
        await using var second = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(120), ("items", "id"));
        await second.WaitForLogAsync("restarting it (attempt 2)");
    }

    [Fact]
    public async Task A_million_row_transaction_replicates_in_bounded_memory()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync("CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)");
        await using var sentinel = await scenario.StartSentinelAsync();
        await Eventually.WaitAsync(
            async () => await scenario.Source.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE active") > 0,
            TimeSpan.FromSeconds(30),
            () => "the pipeline to stream");
        var before = sentinel.PeakResidentBytes();

        await scenario.Source.ExecuteAsync("INSERT INTO big SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 1000000) g");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(300), ("big", "id"));

        var peak = sentinel.PeakResidentBytes();
        output.WriteLine($"peak RSS {before / 1048576} MiB before, {peak / 1048576} MiB after a 1,000,000-row transaction");
        peak.ShouldBeLessThan(512L * 1024 * 1024, "the silo's memory stays under 512 MiB whatever the transaction size");
    }

    [Fact]
    public async Task An_idle_pipeline_keeps_confirming_so_WAL_does_not_pile_up()
    {
        await using var scenario = await PipelineScenario.CreateAsync(tables: "public.published");
        await scenario.Source.ExecuteAsync("CREATE TABLE published (id int PRIMARY KEY); CREATE TABLE unpublished (id int PRIMARY KEY, filler text)");
        await using var sentinel = await scenario.StartSentinelAsync();
        var slotSql = $"SELECT (confirmed_flush_lsn - '0/0')::numeric FROM pg_replication_slots WHERE slot_name = '{scenario.Source.Name}'";
        await Eventually.WaitAsync(async () => await scenario.Source.ScalarAsync<decimal?>(slotSql) > 0, TimeSpan.FromSeconds(30), () => "the slot to exist");

        // Only a table outside the pipeline changes: a lot of WAL the pipeline has nothing to do with.
        await scenario.Source.ExecuteAsync("INSERT INTO unpublished SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g");
        var written = await scenario.Source.ScalarAsync<decimal>("SELECT (pg_current_wal_lsn() - '0/0')::numeric");

        await Eventually.WaitAsync(
            async () => await scenario.Source.ScalarAsync<decimal>(slotSql) >= written,
            TimeSpan.FromSeconds(30),
            () => $"the idle slot to be confirmed past {written}");
    }
}
