using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// Issue #9: SentinelSync against Postgres' native logical replication, side by side on this machine in one run
/// (streaming under load, backlog catch-up, latency, snapshot), plus Postgres → ClickHouse. Uses its own databases
/// (bench_*) on the local clusters, dropped and recreated each run and dropped at the end. Writes
/// artifacts/bench/replication-&lt;date&gt;.json and .md and prints the markdown.
/// </summary>
internal static class ReplicationBenchmark
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var sizes = arguments.Contains("--quick") ? BenchSizes.Quick : BenchSizes.Full;
        if (Environment.GetEnvironmentVariable(SentinelReplicator.SinkOptionsVariable) is { Length: > 0 } sinkOptions)
        {
            sizes = sizes with { Mode = $"{sizes.Mode}, diagnostic: sink connection Options '{sinkOptions}'" };
        }

        await TestServers.EnsurePostgresAsync();
        await TestServers.EnsurePostgresDestinationAsync();
        await TestServers.EnsureClickHouseAsync();
        await CheckSettingsAsync();
        var machine = await MachineFacts.ReadAsync();
        var total = Stopwatch.StartNew();
        Console.WriteLine($"replication benchmark, {sizes.Mode} run, {machine.Cores} cores, {machine.Postgres}");

        StreamingResult native, sentinel;
        SnapshotResult snapshot;
        ClickHouseResult clickHouse;
        try
        {
            native = await StreamingBenchmark.RunAsync("native", sizes);
            sentinel = await StreamingBenchmark.RunAsync("sentinelsync", sizes);
            await StreamingBenchmark.Databases.DropAsync();
            snapshot = await SnapshotBenchmark.RunAsync(sizes);
            await SnapshotBenchmark.Databases.DropAsync();
            Console.WriteLine($"[clickhouse] snapshot of {sizes.ClickHouseSnapshotRows:N0} rows, then {sizes.ClickHouseChanges:N0}-change backlog and steady phases");
            clickHouse = await ClickHousePipelineBenchmark.MeasureAsync(sizes.ClickHouseSnapshotRows, sizes.ClickHouseChanges);
        }
        catch
        {
            // A slot left behind would hold WAL on the shared source cluster until the next run.
            await StreamingBenchmark.Databases.DropAsync();
            await SnapshotBenchmark.Databases.DropAsync();
            throw;
        }

        var report = ReplicationReport.Create(machine, sizes, native, sentinel, snapshot, clickHouse);
        var markdown = report.ToMarkdown();
        var directory = Path.Combine(RepositoryRoot(), "artifacts", "bench");
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"replication-{DateTime.UtcNow:yyyyMMdd-HHmm}{(sizes.Mode == "quick" ? "-quick" : "")}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        await File.WriteAllTextAsync(stem + ".md", markdown);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {stem}.json and .md in {total.Elapsed.TotalMinutes:N1} min"));
        return report.Converged ? 0 : 1;
    }

    /// <summary>Native subscriptions need a slot and a walsender at the source, a worker per subscription (plus table sync workers) at the destination.</summary>
    private static async Task CheckSettingsAsync()
    {
        const string sql = "SELECT current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots), current_setting('max_wal_senders')::int - (SELECT count(*) FROM pg_stat_replication), current_setting('max_logical_replication_workers')::int, current_setting('max_worker_processes')::int";
        var source = (await BenchPostgres.QueryAsync(BenchPostgres.Source("postgres"), sql, r => (r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3))))[0];
        var destination = (await BenchPostgres.QueryAsync(BenchPostgres.Destination("postgres"), sql, r => (r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3))))[0];
        Console.WriteLine($"settings: source free slots {source.Item1}, free walsenders {source.Item2}; destination max_logical_replication_workers {destination.Item3}, max_worker_processes {destination.Item4}");
        if (source.Item1 < 4 || source.Item2 < 4 || destination.Item3 < 2 || destination.Item4 < 4)
        {
            throw new InvalidOperationException("not enough replication slots, walsenders or workers for a native subscription; see eng/setup.sh (max_replication_slots, max_wal_senders, max_worker_processes)");
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SentinelSync.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
