using System.Diagnostics;
using Npgsql;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// One tool (<c>native</c>, <c>sentinelsync</c>, or <c>via-kafka</c>: SentinelSync through Kafka) through the streaming phases on fresh databases (bench_src on the source cluster, bench_dst on the
/// destination cluster), so both tools start from identical data and get the same load:
/// <list type="number">
/// <item>initial sync of the pgbench and wide tables, until a marker transaction is visible at the destination;</item>
/// <item>live: the load runs for <see cref="BenchSizes.LiveLoad"/> while the tool replicates and heartbeats measure
/// latency; then a marker, and the time until it is visible;</item>
/// <item>backlog: the tool paused, the same load for <see cref="BenchSizes.BacklogLoad"/>, a marker, then resumed: the
/// time from resume until the marker is visible;</item>
/// <item>convergence: every table equal at both ends (count and md5 over ordered rows).</item>
/// </list>
/// Changes are counted exactly at the source (pg_stat_user_tables inserts + updates + deletes, heartbeats and
/// markers included).
/// </summary>
internal static class StreamingBenchmark
{
    public const string SourceDatabase = "bench_src";
    public const string DestinationDatabase = "bench_dst";
    public const string ControlDatabase = "bench_ctl";

    /// <summary>The databases of the replication benchmark.</summary>
    public static readonly BenchDatabases Databases = new(SourceDatabase, DestinationDatabase, ControlDatabase);

    /// <param name="legs">Via Kafka only: a second backlog drained a leg at a time afterwards (<see cref="Kafka.KafkaLegs"/>).</param>
    public static async Task<StreamingResult> RunAsync(string tool, BenchSizes sizes, BenchDatabases? databases = null, bool legs = false)
    {
        var db = databases ?? Databases;
        Console.WriteLine($"[{tool}] preparing {db.Source} (pgbench scale {sizes.PgbenchScale}, {sizes.WideRows:N0} wide rows) and {db.Destination}");
        await BenchPostgres.RecreateAsync(Testing.TestServers.Postgres, db.Source);
        await BenchPostgres.RecreateAsync(Testing.TestServers.PostgresDestination, db.Destination);
        var workload = new Workload(db.Source, sizes);
        await workload.InitializeAsync();
        var destination = BenchPostgres.Destination(db.Destination);
        var initialRows = await BenchPostgres.ScalarAsync<long>(workload.Source, "SELECT (SELECT count(*) FROM pgbench_accounts) + (SELECT count(*) FROM pgbench_history) + (SELECT count(*) FROM pgbench_branches) + (SELECT count(*) FROM pgbench_tellers) + (SELECT count(*) FROM wide_rows)");

        // The mock Kafka cluster outlives the silo: disposed after the replicator (declared before it).
        using var kafka = tool == "via-kafka" ? new Kafka.BenchKafka() : null;
        await using IReplicator replicator = tool == "native"
            ? new NativeReplicator(db.Source, db.Destination, "bench_native")
            : new SentinelReplicator(db.Source, db.Destination, db.Control, db.Pipeline, kafka);
        await replicator.PrepareAsync();

        var watch = Stopwatch.StartNew();
        await replicator.StartAsync();
        await Workload.WaitForMarkerAsync(destination, await workload.CommitMarkerAsync(), TimeSpan.FromMinutes(15));
        if (replicator is NativeReplicator ready)
        {
            await ready.WaitAllReadyAsync(TimeSpan.FromMinutes(5));
        }

        var initialSync = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"[{tool}] initial sync of {initialRows:N0} rows: {initialSync:N1} s");

        var live = await LiveAsync(tool, replicator, workload, destination, sizes, db);
        var backlog = await BacklogAsync(tool, replicator, workload, destination, sizes, db);
        var legResult = legs && replicator is SentinelReplicator { Name: "via-kafka" } viaKafka ? await Kafka.KafkaLegs.RunAsync(viaKafka, workload, destination, sizes, db) : null;
        var metrics = replicator is SentinelReplicator sentinel ? StageMetrics.Parse(await sentinel.MetricsAsync()) : null;
        var checks = await Convergence.CheckAsync(workload.Source, destination, Workload.Tables);
        var (rss, cpu) = await replicator.StopAsync();
        Console.WriteLine($"[{tool}] converged: {checks.All(c => c.Equal)} ({string.Join(", ", checks.Select(c => $"{c.Table} {c.DestinationRows:N0}{(c.Equal ? "" : " DIFFERS")}"))})");
        return new StreamingResult(tool, initialRows, initialSync, initialRows / initialSync, live, backlog, rss, cpu, metrics, checks) { Legs = legResult };
    }

    private static async Task<StageMetrics?> StagesAsync(IReplicator replicator) =>
        replicator is SentinelReplicator sentinel ? StageMetrics.Parse(await sentinel.MetricsAsync()) : null;

    private static async Task<PhaseResult> LiveAsync(string tool, IReplicator replicator, Workload workload, string destination, BenchSizes sizes, BenchDatabases db)
    {
        var before = await workload.ChangesSoFarAsync();
        var stagesBefore = await StagesAsync(replicator);
        using var stopSampler = new CancellationTokenSource();
        var sampler = new ResourceSampler(db.Source, db.Destination, () => replicator.ProcessId).RunAsync(stopSampler.Token);
        using var stopHeartbeats = new CancellationTokenSource();
        await using var poller = new NpgsqlConnection(destination);
        await poller.OpenAsync();
        var probe = new LatencyProbe().RunAsync(workload.Source, LatencyProbe.PostgresMaxSeq(poller, "bench_heartbeat"), "bench_heartbeat", stopHeartbeats.Token);

        var watch = Stopwatch.StartNew();
        var load = await workload.RunLoadAsync(sizes.LiveLoad);
        var loadSeconds = watch.Elapsed.TotalSeconds;
        stopHeartbeats.Cancel();
        await Workload.WaitForMarkerAsync(destination, await workload.CommitMarkerAsync(), TimeSpan.FromMinutes(15));
        var caughtUp = watch.Elapsed.TotalSeconds;
        var latency = await probe;
        stopSampler.Cancel();
        var usage = await sampler;
        var changes = await workload.ChangesSoFarAsync() - before;
        var stages = (await StagesAsync(replicator))?.Since(stagesBefore!);
        Console.WriteLine($"[{tool}] live: {changes:N0} changes in {loadSeconds:N1} s of load, caught up {caughtUp - loadSeconds:N2} s after it; latency p50 {latency.P50Ms:N1} ms, p99 {latency.P99Ms:N1} ms");
        if (stages is not null)
        {
            Console.WriteLine($"[{tool}] live: {stages.Delays}");
        }

        return new PhaseResult(loadSeconds, changes, load, changes / loadSeconds, caughtUp, changes / caughtUp, caughtUp - loadSeconds, latency, usage) { Stages = stages };
    }

    private static async Task<PhaseResult> BacklogAsync(string tool, IReplicator replicator, Workload workload, string destination, BenchSizes sizes, BenchDatabases db)
    {
        await replicator.PauseAsync();
        var before = await workload.ChangesSoFarAsync();
        using var stopPausedSampler = new CancellationTokenSource();
        var pausedSampler = new ResourceSampler(db.Source, db.Destination, () => replicator.ProcessId).RunAsync(stopPausedSampler.Token);
        var watch = Stopwatch.StartNew();
        var load = await workload.RunLoadAsync(sizes.BacklogLoad);
        var loadSeconds = watch.Elapsed.TotalSeconds;
        stopPausedSampler.Cancel();
        var paused = await pausedSampler;
        var marker = await workload.CommitMarkerAsync();
        var changes = await workload.ChangesSoFarAsync() - before;
        var stagesBefore = await StagesAsync(replicator);

        using var stopSampler = new CancellationTokenSource();
        var sampler = new ResourceSampler(db.Source, db.Destination, () => replicator.ProcessId).RunAsync(stopSampler.Token);
        watch.Restart();
        await replicator.ResumeAsync();
        await Workload.WaitForMarkerAsync(destination, marker, TimeSpan.FromMinutes(30));
        var drain = watch.Elapsed.TotalSeconds;
        stopSampler.Cancel();
        var usage = await sampler;
        var stages = (await StagesAsync(replicator))?.Since(stagesBefore!);
        Console.WriteLine($"[{tool}] backlog: {changes:N0} changes written in {loadSeconds:N1} s while paused, drained in {drain:N2} s ({changes / drain:N0} changes/s)");
        return new PhaseResult(loadSeconds, changes, load, changes / loadSeconds, drain, changes / drain, drain, null, usage) { WhilePaused = paused, Stages = stages };
    }
}

/// <summary>
/// One streaming phase. <paramref name="ApplySeconds"/>: live, from load start until caught up; backlog, from resume
/// until caught up. <paramref name="DrainSeconds"/>: live, from load end until caught up; backlog, the same as ApplySeconds.
/// </summary>
internal sealed record PhaseResult(
    double LoadSeconds, long Changes, LoadResult Load, double ProducedChangesPerSecond, double ApplySeconds, double AppliedChangesPerSecond,
    double DrainSeconds, LatencySummary? Latency, ResourceUsage Usage)
{
    /// <summary>Backlog only: the resources used while the tool was paused and the load ran.</summary>
    public ResourceUsage? WhilePaused { get; init; }

    /// <summary>SentinelSync only: its /metrics over this phase (destination transactions, their size and apply time).</summary>
    public StageMetrics? Stages { get; init; }
}

internal sealed record StreamingResult(
    string Tool, long InitialRows, double InitialSyncSeconds, double InitialSyncRowsPerSecond, PhaseResult Live, PhaseResult Backlog,
    double? PeakRssMiB, double? ProcessCpuSeconds, StageMetrics? Stages, List<TableCheck> Convergence)
{
    /// <summary>Via Kafka with <c>--legs</c>: the second backlog, drained a leg at a time.</summary>
    public Kafka.LegsResult? Legs { get; init; }
}

/// <summary>
/// The source, destination and control databases one streaming run recreates, and SentinelSync's pipeline name (its
/// slot is <c>sentinel_&lt;pipeline&gt;</c>): each verb its own, so that runs of different verbs do not meet.
/// </summary>
internal sealed record BenchDatabases(string Source, string Destination, string Control, string Pipeline = "bench")
{
    /// <summary>Drops the three databases (a slot left behind would hold WAL on the shared source cluster).</summary>
    public async Task DropAsync()
    {
        await BenchPostgres.DropAsync(Testing.TestServers.PostgresDestination, Destination);
        await BenchPostgres.DropAsync(Testing.TestServers.Postgres, Source);
        await BenchPostgres.DropAsync(Testing.TestServers.Postgres, Control);
    }
}
