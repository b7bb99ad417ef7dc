using System.Diagnostics;
using System.Globalization;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks;

/// <summary>
/// Rows/s into ClickHouse through the real <c>sentinel run</c> process (Postgres source on loopback, one pipeline,
/// one ClickHouse sink, defaults): the snapshot of a 1,000,000-row table; a 300,000-change backlog streamed from
/// the slot (written while sentinel was stopped); and steady streaming while a writer commits 1,000-row
/// transactions. Completion of a streaming phase is seen by a marker row committed last (a sink applies a table's
/// changes in order); the result is then checked against the source through FINAL. Prints markdown.
/// </summary>
internal static class ClickHousePipelineBenchmark
{
    private const int SnapshotRows = 1_000_000;
    private const int ChangesPerPhase = 300_000;
    private const int RowsPerTransaction = 1_000;

    private const string Schema = """
        CREATE TABLE bench (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2), at timestamptz NOT NULL DEFAULT now());
        """;

    private static readonly string[] s_columns = ["name", "amount"];
    private static readonly string[] s_sums = ["id", "amount"];

    public static async Task<int> RunAsync()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.ClickHouse, name: "bench_clickhouse", callerFile: nameof(ClickHousePipelineBenchmark));
        var clickHouse = scenario.ClickHouse!;
        await scenario.Source.ExecuteAsync(Schema);
        await scenario.Source.ExecuteAsync($"INSERT INTO bench (id, name, amount) SELECT i, 'row ' || i, (i % 100000) / 100.0 FROM generate_series(1, {SnapshotRows}) i");

        // Snapshot: from process start until every row is in ClickHouse (start-up included, about a second).
        var watch = Stopwatch.StartNew();
        var sentinel = await scenario.StartSentinelAsync();
        await Eventually.WaitAsync(
            async () => await RowsAsync(clickHouse) >= SnapshotRows,
            TimeSpan.FromMinutes(20),
            () => $"{SnapshotRows} snapshot rows in ClickHouse");
        var snapshot = watch.Elapsed;
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromMinutes(2), "bench", "id", s_columns, s_sums);

        // Backlog: written while sentinel is stopped, then streamed from the slot as fast as it goes.
        await StopAsync(sentinel);
        await WriteChangesAsync(scenario.Source, SnapshotRows, marker: -1);
        watch.Restart();
        sentinel = await scenario.StartSentinelAsync();
        await WaitForMarkerAsync(clickHouse, -1);
        var backlog = watch.Elapsed;
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromMinutes(2), "bench", "id", s_columns, s_sums);

        // Steady: the same changes committed while sentinel streams; from the first commit to the marker's arrival.
        watch.Restart();
        await WriteChangesAsync(scenario.Source, SnapshotRows + (ChangesPerPhase * 2 / 3), marker: -2);
        var written = watch.Elapsed;
        await WaitForMarkerAsync(clickHouse, -2);
        var steady = watch.Elapsed;
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromMinutes(2), "bench", "id", s_columns, s_sums);
        await StopAsync(sentinel);

        Console.WriteLine("| Postgres → ClickHouse through `sentinel run` (2 cores, loopback, ClickHouse 18.16, defaults) | rows/s |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine(Row($"snapshot, {SnapshotRows:N0}-row table, process start to last row ({snapshot.TotalSeconds:N1} s)", SnapshotRows, snapshot));
        Console.WriteLine(Row($"streaming a backlog of {ChangesPerPhase:N0} changes from the slot ({backlog.TotalSeconds:N1} s, start-up included)", ChangesPerPhase, backlog));
        Console.WriteLine(Row($"steady streaming, {ChangesPerPhase:N0} changes in {RowsPerTransaction:N0}-row transactions written in {written.TotalSeconds:N1} s, all applied after {steady.TotalSeconds:N1} s", ChangesPerPhase, steady));
        return 0;
    }

    private static async Task StopAsync(SentinelProcess sentinel)
    {
        var exit = await sentinel.StopAsync();
        await sentinel.DisposeAsync();
        if (exit != 0)
        {
            throw new InvalidOperationException($"sentinel exited with {exit}:\n{sentinel.Log}");
        }
    }

    private static string Row(string what, int rows, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"| {what} | {rows / elapsed.TotalSeconds:N0} |");

    /// <summary>Two thirds inserts, one third updates of snapshot rows, in 1,000-row transactions, then the marker row.</summary>
    private static async Task WriteChangesAsync(PostgresDatabase source, long firstId, int marker)
    {
        var inserts = ChangesPerPhase * 2 / 3;
        for (var offset = 0; offset < inserts; offset += RowsPerTransaction)
        {
            await source.ExecuteAsync($"INSERT INTO bench (id, name, amount) SELECT i, 'new ' || i, (i % 1000) / 10.0 FROM generate_series({firstId + offset + 1}, {firstId + offset + RowsPerTransaction}) i");
        }

        for (var offset = 0; offset < ChangesPerPhase - inserts; offset += RowsPerTransaction)
        {
            await source.ExecuteAsync($"UPDATE bench SET amount = amount + 1, name = name || '+' WHERE id BETWEEN {offset + 1} AND {offset + RowsPerTransaction}");
        }

        await source.ExecuteAsync($"INSERT INTO bench (id, name, amount) VALUES ({marker}, 'marker', 0)");
    }

    private static Task WaitForMarkerAsync(ClickHouseDatabase clickHouse, int marker) =>
        Eventually.WaitAsync(
            async () => await clickHouse.ScalarAsync<long>($"SELECT count() FROM bench WHERE id = {marker}") > 0,
            TimeSpan.FromMinutes(20),
            () => $"marker row {marker} in ClickHouse");

    private static async Task<long> RowsAsync(ClickHouseDatabase clickHouse) =>
        await clickHouse.ScalarAsync<long>("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'bench'") == 0
            ? 0
            : await clickHouse.ScalarAsync<long>("SELECT count() FROM bench");
}
