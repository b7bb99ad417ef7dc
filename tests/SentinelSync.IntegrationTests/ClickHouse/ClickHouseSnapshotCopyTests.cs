using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>
/// The snapshot copy into ClickHouse through the real <c>sentinel run</c> process: a table large enough to be
/// read in parallel block ranges, with a composite key, copied by several inserts in flight.
/// </summary>
public sealed class ClickHouseSnapshotCopyTests(ITestOutputHelper output)
{
    private const string Grid = "region text, n int, v text, amount numeric(10,2), at timestamptz, PRIMARY KEY (region, n)";

    [Fact]
    public async Task An_interrupted_parallel_range_snapshot_of_a_composite_key_table_restarts_and_ends_with_each_source_row_once()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);

        // A tenth of each heap page used: few rows (and little to copy) over enough blocks for two ranges read in parallel.
        await scenario.Source.ExecuteAsync($"""
            CREATE TABLE grid ({Grid}) WITH (fillfactor = 10);
            INSERT INTO grid SELECT 'r' || (g % 5), g, repeat('v', 90) || g, g / 8.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second'
            FROM generate_series(1, 120000) g;
            """);
        var blocks = await scenario.Source.ScalarAsync<long>("SELECT pg_relation_size('grid') / current_setting('block_size')::bigint");
        blocks.ShouldBeGreaterThanOrEqualTo(2 * PostgresSnapshotReader.BlocksPerRange, "the copy must be split into ranges for this test to mean anything");

        // The Postgres sink's copies wait on this lock, so the snapshot cannot complete while ClickHouse takes rows.
        await scenario.Destination.ExecuteAsync($"CREATE TABLE grid ({Grid})");
        await using var blocker = await scenario.Destination.OpenConnectionAsync();
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var lockTable = new Npgsql.NpgsqlCommand("LOCK TABLE grid IN EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            await using var first = await scenario.StartSentinelAsync();
            await Eventually.WaitAsync(
                async () => await CountAsync(scenario, "SELECT count() FROM grid") >= 20_000,
                TimeSpan.FromSeconds(120),
                () => "20,000 rows of the first snapshot attempt in ClickHouse");
            await first.KillAsync();
            output.WriteLine($"killed with {await CountAsync(scenario, "SELECT count() FROM grid")} rows in ClickHouse, the Postgres copy held by a lock");
            await transaction.RollbackAsync();
        }

        // Before the restart: rows deleted, changed and added; the fresh snapshot must show exactly these.
        await scenario.Source.ExecuteAsync("""
            DELETE FROM grid WHERE n % 10 = 0;
            UPDATE grid SET v = 'changed ' || n, amount = amount + 1 WHERE n % 7 = 0;
            INSERT INTO grid VALUES ('new', 1, 'added', 1.5, now());
            """);
        await using var second = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(240), ("grid", "region, n"));

        var source = await SourceRowsAsync(scenario);
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var rows = await ClickHouseRowsAsync(scenario);
                last = $"{rows.Count} live rows in ClickHouse, {source.Count} at the source; first difference: {rows.Except(source).Concat(source.Except(rows)).FirstOrDefault()}";
                return rows.SequenceEqual(source);
            },
            TimeSpan.FromSeconds(120),
            () => $"ClickHouse's live rows of grid to equal the source's; last: {last}");

        (await CountAsync(scenario, "SELECT count() FROM grid FINAL WHERE _deleted = 0")).ShouldBe(source.Count);
        (await CountAsync(scenario, "SELECT uniqExact(region, n) FROM grid FINAL WHERE _deleted = 0")).ShouldBe(source.Count);
        await second.WaitForLogAsync("restarting it (attempt 2)");
    }

    private static async Task<long> CountAsync(PipelineScenario scenario, string sql) =>
        await scenario.ClickHouse!.ScalarAsync<long>("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'grid'") == 0
            ? 0
            : await scenario.ClickHouse.ScalarAsync<long>(sql);

    private static async Task<List<string>> SourceRowsAsync(PipelineScenario scenario)
    {
        await using var connection = await scenario.Source.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT region || '|' || n || '|' || v || '|' || amount FROM grid", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static async Task<List<string>> ClickHouseRowsAsync(PipelineScenario scenario)
    {
        var text = await scenario.ClickHouse!.QueryAsync("SELECT concat(region, '|', toString(n), '|', v, '|', toString(amount)) FROM grid FINAL WHERE _deleted = 0 FORMAT TabSeparated");
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
