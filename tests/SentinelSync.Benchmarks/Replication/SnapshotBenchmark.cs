using System.Diagnostics;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// Initial snapshot of one large table (<c>snap</c>: bigint key, text, numeric(12,2), timestamptz), the same source
/// rows for both tools, each into a fresh destination database. Native: from CREATE SUBSCRIPTION (schema and
/// publication made before the clock starts) until the table is in state 'r'. SentinelSync: from the start of the
/// <c>sentinel run</c> process until the sink has applied every row (its /metrics counter, polled every 100 ms),
/// then the row count is confirmed at the destination. Both end with a convergence check.
/// </summary>
internal static class SnapshotBenchmark
{
    public const string SourceDatabase = "bench_snap_src";
    public const string DestinationDatabase = "bench_snap_dst";
    public const string ControlDatabase = "bench_snap_ctl";

    /// <summary>The snapshot run's databases.</summary>
    public static readonly BenchDatabases Databases = new(SourceDatabase, DestinationDatabase, ControlDatabase);
    private static readonly (string, string)[] s_table = [("snap", "id")];

    public static async Task<SnapshotResult> RunAsync(BenchSizes sizes)
    {
        Console.WriteLine($"[snapshot] writing {sizes.SnapshotRows:N0} rows into {SourceDatabase}.snap");
        await BenchPostgres.RecreateAsync(TestServers.Postgres, SourceDatabase);
        var source = BenchPostgres.Source(SourceDatabase);
        await BenchPostgres.ExecuteAsync(source, "CREATE TABLE snap (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2), at timestamptz NOT NULL)");
        await BenchPostgres.ExecuteAsync(source, "INSERT INTO snap SELECT i, 'row ' || i, (i % 100000) / 100.0, timestamptz '2026-01-01' + i * interval '1 second' FROM generate_series(1, $1::bigint) i", (long)sizes.SnapshotRows);
        await BenchPostgres.ExecuteAsync(source, "VACUUM ANALYZE snap");
        var sizeMiB = await BenchPostgres.ScalarAsync<long>(source, "SELECT pg_total_relation_size('snap') / 1048576");

        var native = await NativeAsync(sizes);
        var sentinel = await SentinelAsync(sizes);
        return new SnapshotResult(sizes.SnapshotRows, sizeMiB, native, sentinel);
    }

    private static async Task<SnapshotRun> NativeAsync(BenchSizes sizes)
    {
        await BenchPostgres.RecreateAsync(TestServers.PostgresDestination, DestinationDatabase);
        var destination = BenchPostgres.Destination(DestinationDatabase);
        await using var native = new NativeReplicator(SourceDatabase, DestinationDatabase, "bench_snap_native");
        await native.PrepareAsync();
        using var stopSampler = new CancellationTokenSource();
        var sampler = new ResourceSampler(SourceDatabase, DestinationDatabase, () => null).RunAsync(stopSampler.Token);
        var watch = Stopwatch.StartNew();
        await native.StartAsync();
        await Eventually.WaitAsync(
            async () => await BenchPostgres.ScalarAsync<long>(destination, "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate = 'r'") == 1,
            TimeSpan.FromMinutes(15),
            () => "native copy_data of snap to reach state 'r'");
        var seconds = watch.Elapsed.TotalSeconds;
        stopSampler.Cancel();
        var usage = await sampler;
        var checks = await Convergence.CheckAsync(BenchPostgres.Source(SourceDatabase), destination, s_table);
        await native.StopAsync();
        Console.WriteLine($"[snapshot] native copy_data: {seconds:N1} s ({sizes.SnapshotRows / seconds:N0} rows/s), converged: {checks[0].Equal}");
        return new SnapshotRun("native", seconds, sizes.SnapshotRows / seconds, null, null, usage, checks[0]);
    }

    private static async Task<SnapshotRun> SentinelAsync(BenchSizes sizes)
    {
        await BenchPostgres.RecreateAsync(TestServers.PostgresDestination, DestinationDatabase);
        var destination = BenchPostgres.Destination(DestinationDatabase);
        await using var sentinel = new SentinelReplicator(SourceDatabase, DestinationDatabase, ControlDatabase, "snap");
        await sentinel.PrepareAsync();
        using var stopSampler = new CancellationTokenSource();
        var sampler = new ResourceSampler(SourceDatabase, DestinationDatabase, () => sentinel.ProcessId).RunAsync(stopSampler.Token);
        var watch = Stopwatch.StartNew();
        await sentinel.StartAsync();
        var ready = watch.Elapsed.TotalSeconds;
        var deadline = TimeSpan.FromMinutes(15);
        // Done when every row is applied and the destination table has its primary key (a sink that loads first
        // builds the key afterwards; native copies into a table that has it).
        while (await sentinel.AppliedChangesAsync() < sizes.SnapshotRows
            || !await BenchPostgres.ScalarAsync<bool>(destination, "SELECT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = to_regclass('public.snap') AND indisprimary AND indisvalid)"))
        {
            if (watch.Elapsed > deadline)
            {
                throw new TimeoutException($"SentinelSync snapshot of {sizes.SnapshotRows:N0} rows not applied within {deadline}");
            }

            await Task.Delay(100);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        stopSampler.Cancel();
        var usage = await sampler;
        var visible = await BenchPostgres.ScalarAsync<long>(destination, "SELECT count(*) FROM snap");
        if (visible != sizes.SnapshotRows)
        {
            throw new InvalidOperationException($"the sink reported {sizes.SnapshotRows:N0} rows applied but the destination shows {visible:N0}");
        }

        var checks = await Convergence.CheckAsync(BenchPostgres.Source(SourceDatabase), destination, s_table);
        var stages = StageMetrics.Parse(await sentinel.MetricsAsync());
        var (rss, cpu) = await sentinel.StopAsync();
        Console.WriteLine($"[snapshot] sentinelsync: {seconds:N1} s ({sizes.SnapshotRows / seconds:N0} rows/s; silo ready after {ready:N1} s), converged: {checks[0].Equal}, peak RSS {rss} MiB, CPU {cpu} s");
        return new SnapshotRun("sentinelsync", seconds, sizes.SnapshotRows / seconds, rss, cpu, usage, checks[0]) { Stages = stages, ReadySeconds = ready };
    }
}

internal sealed record SnapshotRun(string Tool, double Seconds, double RowsPerSecond, double? PeakRssMiB, double? ProcessCpuSeconds, ResourceUsage Usage, TableCheck Convergence)
{
    public StageMetrics? Stages { get; init; }

    /// <summary>Process start to the silo answering ready (SentinelSync only): the part of <see cref="Seconds"/> that is start-up.</summary>
    public double? ReadySeconds { get; init; }
}

internal sealed record SnapshotResult(int Rows, long TableMiB, SnapshotRun Native, SnapshotRun Sentinel);
