using System.Diagnostics;
using System.Globalization;
using SentinelSync.Benchmarks.Replication;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks;

/// <summary>
/// Rows/s into ClickHouse through the real <c>sentinel run</c> process (Postgres source on loopback, one pipeline,
/// one ClickHouse sink, defaults): the snapshot of a 1,000,000-row table; a 300,000-change backlog streamed from
/// the slot (written while sentinel was stopped); and steady streaming while a writer commits 1,000-row
/// transactions, with heartbeats measuring latency meanwhile (<see cref="Replication.LatencyProbe"/>, polled in
/// ClickHouse). The full-speed writer outruns what 2 cores can replicate, so its heartbeats measure how far the
/// pipeline falls behind; a last, paced phase commits <see cref="PacedChangesPerSecond"/> in 100-row transactions
/// for <see cref="PacedDuration"/>, a load the machine sustains, so its heartbeats measure latency under load.
/// Completion of a streaming phase is seen by a marker row committed last (a sink applies a table's changes in
/// order); the result is then checked against the source through FINAL. Prints markdown.
/// </summary>
internal static class ClickHousePipelineBenchmark
{
    private const int RowsPerTransaction = 1_000;

    /// <summary>The paced phase's load: well under what the pipeline drains here while the writer competes for the cores.</summary>
    internal const int PacedChangesPerSecond = 10_000;

    internal const int PacedRowsPerTransaction = 100;

    internal static readonly TimeSpan PacedDuration = TimeSpan.FromSeconds(20);

    private const string Schema = """
        CREATE TABLE bench (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2), at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE heartbeat (seq bigint PRIMARY KEY, stamped timestamptz NOT NULL);
        CREATE TABLE paced_heartbeat (seq bigint PRIMARY KEY, stamped timestamptz NOT NULL);
        """;

    private static readonly string[] s_columns = ["name", "amount"];
    private static readonly string[] s_sums = ["id", "amount"];

    public static async Task<int> RunAsync()
    {
        var result = await MeasureAsync(1_000_000, 300_000);
        Console.WriteLine($"sentinel: {SentinelProcess.Executable} ({ReadyToRunImage.Describe(SentinelProcess.Executable)})");
        Console.WriteLine();
        Console.WriteLine("| Postgres → ClickHouse through `sentinel run` (2 cores, loopback, ClickHouse 18.16, defaults) | rows/s |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine(Row($"snapshot, {result.SnapshotRows:N0}-row table, process start to last row ({result.SnapshotSeconds:N1} s)", result.SnapshotRowsPerSecond));
        Console.WriteLine(Row($"the same from silo ready (after {result.ReadySeconds:N1} s) to last row; sentinel CPU since start {result.SnapshotCpuSeconds:N1} s", result.SnapshotRows / (result.SnapshotSeconds - result.ReadySeconds)));
        Console.WriteLine(Row($"streaming a backlog of {result.ChangesPerPhase:N0} changes from the slot ({result.BacklogSeconds:N1} s, start-up included)", result.BacklogChangesPerSecond));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| process start to silo ready, snapshot / backlog phase | {result.ReadySeconds:N2} / {result.BacklogReadySeconds:N2} s |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| sentinel CPU from process start to ready, snapshot / backlog phase | {result.ReadyCpuSeconds:N2} / {result.BacklogReadyCpuSeconds:N2} s |"));
        Console.WriteLine(Row($"steady streaming, {result.ChangesPerPhase:N0} changes in {RowsPerTransaction:N0}-row transactions written in {result.SteadyWriteSeconds:N1} s, all applied after {result.SteadySeconds:N1} s", result.SteadyChangesPerSecond));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| latency while streaming, p50 / p99 ({result.Latency.Samples} heartbeats) | {result.Latency.P50Ms:N0} / {result.Latency.P99Ms:N0} ms |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| sentinel CPU while streaming steadily | {result.SteadyCpuSeconds:N1} s |"));
        var paced = result.Paced!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| paced streaming, {paced.Changes:N0} changes in {PacedRowsPerTransaction}-row transactions over {paced.WriteSeconds:N1} s: changes/s written | {paced.Changes / paced.WriteSeconds:N0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| latency while paced, p50 / p99 ({paced.Latency.Samples} heartbeats) | {paced.Latency.P50Ms:N0} / {paced.Latency.P99Ms:N0} ms |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| sentinel CPU while paced, per 1,000 changes | {paced.CpuSeconds * 1000 / paced.Changes:N3} s |"));
        return 0;
    }

    /// <summary>The four phases, with <paramref name="snapshotRows"/> rows and <paramref name="changesPerPhase"/> changes per full-speed streaming phase.</summary>
    public static async Task<ClickHouseResult> MeasureAsync(int snapshotRows, int changesPerPhase)
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.ClickHouse, name: "bench_clickhouse");
        var clickHouse = scenario.ClickHouse!;
        await scenario.Source.ExecuteAsync(Schema);
        await scenario.Source.ExecuteAsync($"INSERT INTO bench (id, name, amount) SELECT i, 'row ' || i, (i % 100000) / 100.0 FROM generate_series(1, {snapshotRows}) i");

        // Snapshot: from process start until every row is in ClickHouse (start-up included, about a second).
        var watch = Stopwatch.StartNew();
        var sentinel = await scenario.StartSentinelAsync();
        var ready = watch.Elapsed;
        var readyCpu = CpuSeconds(sentinel);
        await Eventually.WaitAsync(
            async () => await RowsAsync(clickHouse) >= snapshotRows,
            TimeSpan.FromMinutes(20),
            () => $"{snapshotRows} snapshot rows in ClickHouse");
        var snapshot = watch.Elapsed;
        var snapshotCpu = CpuSeconds(sentinel);
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromMinutes(2), "bench", "id", s_columns, s_sums);

        // Backlog: written while sentinel is stopped, then streamed from the slot as fast as it goes.
        var rss = sentinel.PeakResidentBytes();
        await StopAsync(sentinel);
        await WriteChangesAsync(scenario.Source, snapshotRows, changesPerPhase, marker: -1);
        watch.Restart();
        sentinel = await scenario.StartSentinelAsync();
        var backlogReady = watch.Elapsed;
        var backlogReadyCpu = CpuSeconds(sentinel);
        await WaitForMarkerAsync(clickHouse, -1);
        var backlog = watch.Elapsed;
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromMinutes(2), "bench", "id", s_columns, s_sums);

        // Steady: the same changes committed while sentinel streams; from the first commit to the marker's arrival.
        // Heartbeats run meanwhile: latency while the sink is busy.
        using var stopHeartbeats = new CancellationTokenSource();
        var probe = new LatencyProbe().RunAsync(scenario.Source.ConnectionString, () => MaxHeartbeatAsync(clickHouse, "heartbeat"), "heartbeat", stopHeartbeats.Token);
        var steadyCpuStart = CpuSeconds(sentinel);
        watch.Restart();
        await WriteChangesAsync(scenario.Source, snapshotRows + (changesPerPhase * 2 / 3), changesPerPhase, marker: -2);
        var written = watch.Elapsed;
        stopHeartbeats.Cancel();
        await WaitForMarkerAsync(clickHouse, -2);
        var steady = watch.Elapsed;
        var steadyCpu = CpuSeconds(sentinel) - steadyCpuStart;
        var latency = await probe;
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromMinutes(2), "bench", "id", s_columns, s_sums);

        // Paced: a load the pipeline keeps up with, so the heartbeats measure latency rather than a growing backlog.
        var paced = await MeasurePacedAsync(scenario, sentinel, firstId: snapshotRows + (changesPerPhase * 2L));
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromMinutes(2), "bench", "id", s_columns, s_sums);
        rss = Math.Max(rss, sentinel.PeakResidentBytes());
        await StopAsync(sentinel);
        return new ClickHouseResult(
            snapshotRows, snapshot.TotalSeconds, snapshotRows / snapshot.TotalSeconds, changesPerPhase, backlog.TotalSeconds, changesPerPhase / backlog.TotalSeconds,
            written.TotalSeconds, steady.TotalSeconds, changesPerPhase / steady.TotalSeconds, latency, Math.Round(rss / 1048576.0, 1), Converged: true)
        {
            ReadySeconds = ready.TotalSeconds,
            ReadyCpuSeconds = readyCpu,
            BacklogReadySeconds = backlogReady.TotalSeconds,
            BacklogReadyCpuSeconds = backlogReadyCpu,
            SnapshotCpuSeconds = snapshotCpu,
            SteadyCpuSeconds = steadyCpu,
            Paced = paced,
        };
    }

    private static async Task<PacedResult> MeasurePacedAsync(PipelineScenario scenario, SentinelProcess sentinel, long firstId)
    {
        var clickHouse = scenario.ClickHouse!;
        using var stopHeartbeats = new CancellationTokenSource();
        var probe = new LatencyProbe().RunAsync(scenario.Source.ConnectionString, () => MaxHeartbeatAsync(clickHouse, "paced_heartbeat"), "paced_heartbeat", stopHeartbeats.Token);
        var cpuStart = CpuSeconds(sentinel);
        var watch = Stopwatch.StartNew();
        var changes = await WritePacedAsync(scenario.Source, firstId, PacedDuration);
        var written = watch.Elapsed;
        stopHeartbeats.Cancel();
        await WaitForMarkerAsync(clickHouse, -3);
        var cpu = CpuSeconds(sentinel) - cpuStart;
        return new PacedResult(changes, written.TotalSeconds, await probe, cpu);
    }

    /// <summary>
    /// For <paramref name="duration"/>, one transaction every <see cref="PacedRowsPerTransaction"/> /
    /// <see cref="PacedChangesPerSecond"/> seconds (two thirds inserts, one third updates of snapshot rows; a
    /// transaction late by more than one interval is not made up for by a burst), then the marker row; returns the
    /// changes written.
    /// </summary>
    private static async Task<int> WritePacedAsync(PostgresDatabase source, long firstId, TimeSpan duration)
    {
        const int inserts = PacedRowsPerTransaction * 2 / 3;
        const int updates = PacedRowsPerTransaction - inserts;
        var interval = TimeSpan.FromSeconds((double)PacedRowsPerTransaction / PacedChangesPerSecond);
        var watch = Stopwatch.StartNew();
        var due = TimeSpan.Zero;
        var changes = 0;
        for (var n = 0L; watch.Elapsed < duration; n++)
        {
            var id = firstId + (n * inserts);
            var updated = (n * updates) + 1;
            await source.ExecuteAsync(
                $"INSERT INTO bench (id, name, amount) SELECT i, 'paced ' || i, (i % 1000) / 10.0 FROM generate_series({id + 1}, {id + inserts}) i; " +
                $"UPDATE bench SET amount = amount + 1, name = name || '~' WHERE id BETWEEN {updated} AND {updated + updates - 1}");
            changes += PacedRowsPerTransaction;
            due = TimeSpan.FromTicks(Math.Max((due + interval).Ticks, (watch.Elapsed - interval).Ticks));
            if (due > watch.Elapsed)
            {
                await Task.Delay(due - watch.Elapsed);
            }
        }

        await source.ExecuteAsync("INSERT INTO bench (id, name, amount) VALUES (-3, 'marker', 0)");
        return changes + 1;
    }

    /// <summary>CPU seconds the sentinel process used since it started (user + system).</summary>
    private static double CpuSeconds(SentinelProcess sentinel) => (ResourceSampler.Ticks(sentinel.ProcessId) ?? 0) / 100.0;

    private static async Task<long> MaxHeartbeatAsync(ClickHouseDatabase clickHouse, string table)
    {
        try
        {
            return await clickHouse.ScalarAsync<long>($"SELECT max(seq) FROM {table}");
        }
        catch (Exception e) when (ClickHouseDatabase.IsMissingTable(e))
        {
            return 0;
        }
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

    private static string Row(string what, double perSecond) =>
        string.Create(CultureInfo.InvariantCulture, $"| {what} | {perSecond:N0} |");

    /// <summary>Two thirds inserts, one third updates of snapshot rows, in 1,000-row transactions, then the marker row.</summary>
    internal static async Task WriteChangesAsync(PostgresDatabase source, long firstId, int changes, int marker)
    {
        var inserts = changes * 2 / 3;
        for (var offset = 0; offset < inserts; offset += RowsPerTransaction)
        {
            await source.ExecuteAsync($"INSERT INTO bench (id, name, amount) SELECT i, 'new ' || i, (i % 1000) / 10.0 FROM generate_series({firstId + offset + 1}, {firstId + offset + RowsPerTransaction}) i");
        }

        for (var offset = 0; offset < changes - inserts; offset += RowsPerTransaction)
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

/// <summary>What <see cref="ClickHousePipelineBenchmark.MeasureAsync"/> measured; <paramref name="Converged"/>: every phase ended equal to the source (checked through FINAL).</summary>
internal sealed record ClickHouseResult(
    int SnapshotRows, double SnapshotSeconds, double SnapshotRowsPerSecond, int ChangesPerPhase, double BacklogSeconds, double BacklogChangesPerSecond,
    double SteadyWriteSeconds, double SteadySeconds, double SteadyChangesPerSecond, LatencySummary Latency, double PeakRssMiB, bool Converged)
{
    /// <summary>Process start to the silo answering ready: the part of <see cref="SnapshotSeconds"/> that is start-up.</summary>
    public double ReadySeconds { get; init; }

    /// <summary>CPU seconds of the sentinel process from its start to ready (seen by the benchmark's /readyz poll).</summary>
    public double ReadyCpuSeconds { get; init; }

    /// <summary>The backlog phase restarts the silo: process start to ready, the start-up part of <see cref="BacklogSeconds"/>.</summary>
    public double BacklogReadySeconds { get; init; }

    /// <summary>CPU seconds of the restarted silo from its start to ready.</summary>
    public double BacklogReadyCpuSeconds { get; init; }

    /// <summary>CPU seconds of the sentinel process from its start to the snapshot's last row.</summary>
    public double SnapshotCpuSeconds { get; init; }

    /// <summary>CPU seconds of the sentinel process during the steady streaming phase.</summary>
    public double SteadyCpuSeconds { get; init; }

    /// <summary>The paced phase: a load the pipeline sustains, with heartbeats.</summary>
    public PacedResult? Paced { get; init; }
}

/// <summary>
/// The paced phase: <paramref name="Changes"/> written over <paramref name="WriteSeconds"/>, heartbeat
/// <paramref name="Latency"/> meanwhile, and the sentinel process's <paramref name="CpuSeconds"/> from the first
/// commit to the marker's arrival.
/// </summary>
internal sealed record PacedResult(int Changes, double WriteSeconds, LatencySummary Latency, double CpuSeconds);
