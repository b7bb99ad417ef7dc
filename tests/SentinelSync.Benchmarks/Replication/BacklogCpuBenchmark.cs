using System.Diagnostics;
using System.Globalization;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// CPU per change of a fixed backlog (verb <c>backlog</c>), for a machine too loaded for wall-clock figures: after the
/// initial sync the tool is paused, a fixed pgbench load is written (TPC-B transactions beside the wide-row script,
/// TOAST included), then the tool resumes and drains it. Reported per tool: CPU seconds of the sentinel process, the
/// source walsender and the destination backends while draining, per 1,000 changes; and, for SentinelSync, the
/// process's idle CPU rate while paused (Orleans' own timers), which the drain includes. Wall-clock figures are
/// printed but mean little on a shared machine.
/// <code>dotnet run -c Release --project tests/SentinelSync.Benchmarks -- backlog [--quick|--large] [--live] [native|sentinelsync]</code>
/// With <c>SENTINEL_BENCH_TRACE=file.speedscope.json</c> (and dotnet-trace on the PATH or in
/// <c>SENTINEL_BENCH_DOTNET_TRACE</c>) the silo is CPU-sampled during the drain, or traced with the EventPipe providers
/// <c>SENTINEL_BENCH_TRACE_PROVIDERS</c> names.
/// </summary>
internal static class BacklogCpuBenchmark
{
    private const string SourceDatabase = "bench_cpu_src";
    private const string DestinationDatabase = "bench_cpu_dst";
    private const string ControlDatabase = "bench_cpu_ctl";

    public static async Task<int> RunAsync(string[] arguments)
    {
        var quick = arguments.Contains("--quick");
        var live = arguments.Contains("--live");
        var sizes = BenchSizes.Quick;
        // --large: four times the full load (≈ 776,000 changes), the size of eng/bench.sh's backlog, for peak memory.
        var (tpcb, wide) = quick ? (4_500, 2_000) : arguments.Contains("--large") ? (180_000, 80_000) : (45_000, 20_000);
        var tools = arguments.Where(a => a is "native" or "sentinelsync").DefaultIfEmpty("native").ToList();
        if (!arguments.Any(a => a is "native" or "sentinelsync"))
        {
            tools.Add("sentinelsync");
        }

        await TestServers.EnsurePostgresAsync();
        await TestServers.EnsurePostgresDestinationAsync();
        var ok = true;
        try
        {
            foreach (var tool in tools)
            {
                ok &= live ? await RunLiveAsync(tool, sizes, tpcb, wide) : await RunToolAsync(tool, sizes, tpcb, wide);
            }
        }
        finally
        {
            await new BenchDatabases(SourceDatabase, DestinationDatabase, ControlDatabase).DropAsync();
        }

        return ok ? 0 : 1;
    }

    /// <summary>
    /// The same fixed load with the tool replicating all along (<c>--live</c>): CPU from the load's start until its
    /// last change is visible at the destination, per change (pgbench's own sessions left out).
    /// </summary>
    private static async Task<bool> RunLiveAsync(string tool, BenchSizes sizes, int tpcb, int wide)
    {
        var (replicator, workload, destination) = await StartAsync(tool, sizes);
        await using (replicator)
        {
            var before = await workload.ChangesSoFarAsync();
            var meter = new CpuMeter(SourceDatabase, DestinationDatabase, replicator.ProcessId);
            await meter.StartAsync();
            using var stop = new CancellationTokenSource();
            var metering = meter.RunAsync(stop.Token);
            var watch = Stopwatch.StartNew();
            var load = await workload.RunFixedLoadAsync(tpcb, wide);
            await Workload.WaitForMarkerAsync(destination, await workload.CommitMarkerAsync(), TimeSpan.FromMinutes(30));
            var seconds = watch.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            var cpu = await metering;
            var changes = await workload.ChangesSoFarAsync() - before;
            var peakRss = replicator.ProcessId is { } livePid ? ResourceSampler.PeakRssMiB(livePid) : null;
            var checks = await Convergence.CheckAsync(workload.Source, destination, Workload.Tables);
            await replicator.StopAsync();
            var total = cpu.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{tool}] live: {changes:N0} changes ({load.TpcbTransactions:N0} TPC-B + {load.WideTransactions:N0} wide transactions) in {seconds:N1} s (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{tool}] CPU from load start to caught up: {total:N2} s = {1000 * total / changes:N3} s per 1,000 changes"));
            foreach (var (role, used) in cpu.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{tool}]   {role}: {used:N2} s ({1000 * used / changes:N3} s per 1,000 changes)"));
            }

            if (peakRss is { } peak)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{tool}]   sentinel process peak RSS (VmHWM, whole run): {peak:N0} MiB"));
            }

            Console.WriteLine($"[{tool}] converged: {checks.All(c => c.Equal)}");
            return checks.All(c => c.Equal);
        }
    }

    /// <summary>Fresh databases, the workload's tables, the tool started and through its initial sync.</summary>
    private static async Task<(IReplicator Replicator, Workload Workload, string Destination)> StartAsync(string tool, BenchSizes sizes)
    {
        await BenchPostgres.RecreateAsync(TestServers.Postgres, SourceDatabase);
        await BenchPostgres.RecreateAsync(TestServers.PostgresDestination, DestinationDatabase);
        var workload = new Workload(SourceDatabase, sizes);
        await workload.InitializeAsync();
        var destination = BenchPostgres.Destination(DestinationDatabase);
        IReplicator replicator = tool == "native"
            ? new NativeReplicator(SourceDatabase, DestinationDatabase, "bench_cpu_native")
            : new SentinelReplicator(SourceDatabase, DestinationDatabase, ControlDatabase, "benchcpu");
        await replicator.PrepareAsync();
        await replicator.StartAsync();
        await Workload.WaitForMarkerAsync(destination, await workload.CommitMarkerAsync(), TimeSpan.FromMinutes(15));
        if (replicator is NativeReplicator ready)
        {
            await ready.WaitAllReadyAsync(TimeSpan.FromMinutes(5));
        }

        return (replicator, workload, destination);
    }

    private static async Task<bool> RunToolAsync(string tool, BenchSizes sizes, int tpcb, int wide)
    {
        var (started, workload, destination) = await StartAsync(tool, sizes);
        await using var replicator = started;
        await replicator.PauseAsync();
        var pid = replicator.ProcessId;
        var idleWatch = Stopwatch.StartNew();
        var idleStart = pid is { } p0 ? ResourceSampler.Ticks(p0) : null;
        var before = await workload.ChangesSoFarAsync();
        var load = await workload.RunFixedLoadAsync(tpcb, wide);
        var marker = await workload.CommitMarkerAsync();
        var changes = await workload.ChangesSoFarAsync() - before;
        var idleCpuPerSecond = pid is { } p1 && idleStart is { } i0 && ResourceSampler.Ticks(p1) is { } i1 ? (i1 - i0) / 100.0 / idleWatch.Elapsed.TotalSeconds : (double?)null;
        var stagesBefore = replicator is SentinelReplicator s0 ? StageMetrics.Parse(await s0.MetricsAsync()) : null;

        var meter = new CpuMeter(SourceDatabase, DestinationDatabase, pid);
        await meter.StartAsync();
        using var stop = new CancellationTokenSource();
        var metering = meter.RunAsync(stop.Token);
        using var trace = pid is { } tracedPid ? StartTrace(tracedPid) : null;
        var rssBefore = pid is { } p3 ? ResourceSampler.PeakRssMiB(p3) : null;
        var watch = Stopwatch.StartNew();
        await replicator.ResumeAsync();
        await Workload.WaitForMarkerAsync(destination, marker, TimeSpan.FromMinutes(30));
        var drain = watch.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        var cpu = await metering;
        await StopTraceAsync(trace);
        var rssAfter = pid is { } p4 ? ResourceSampler.PeakRssMiB(p4) : null;
        var stages = replicator is SentinelReplicator s1 ? StageMetrics.Parse(await s1.MetricsAsync()).Since(stagesBefore!) : null;
        var checks = await Convergence.CheckAsync(workload.Source, destination, Workload.Tables);
        var settledIdle = pid is { } p2 ? await IdleCpuPerSecondAsync(p2, TimeSpan.FromSeconds(15)) : null;
        await replicator.StopAsync();

        var total = cpu.Values.Sum();
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"[{tool}] backlog of {changes:N0} changes ({load.TpcbTransactions:N0} TPC-B + {load.WideTransactions:N0} wide transactions), drained in {drain:N1} s (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})"),
            string.Create(CultureInfo.InvariantCulture, $"[{tool}] CPU while draining: {total:N2} s = {1000 * total / changes:N3} s per 1,000 changes"),
        };
        lines.AddRange(cpu.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => string.Create(CultureInfo.InvariantCulture, $"[{tool}]   {c.Key}: {c.Value:N2} s ({1000 * c.Value / changes:N3} s per 1,000 changes)")));
        if (idleCpuPerSecond is { } idle)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"[{tool}]   sentinel process idle while paused: {idle:N3} CPU s per s (≈ {idle * drain:N2} s of the drain)"));
        }

        if (settledIdle is { } settled)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"[{tool}]   sentinel process idle after the drain (15 s): {settled:N3} CPU s per s (≈ {settled * drain:N2} s of the drain)"));
        }

        if (rssAfter is { } peakRss)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"[{tool}]   sentinel process peak RSS (VmHWM): {rssBefore:N0} MiB before the drain, {peakRss:N0} MiB after it"));
        }

        if (stages is not null)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"[{tool}]   sink: {stages.Batches:N0} destination transactions of {stages.MeanBatchSize:N1} changes, {stages.MeanApplyMs:N2} ms each (wall)"));
            lines.Add($"[{tool}]   runtime: {stages.Runtime.Describe(stages.ChangesApplied)}");
        }

        lines.Add($"[{tool}] converged: {checks.All(c => c.Equal)}");
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }

        return checks.All(c => c.Equal);
    }

    /// <summary>The process's CPU seconds per second over <paramref name="period"/> of nothing to replicate.</summary>
    private static async Task<double?> IdleCpuPerSecondAsync(int pid, TimeSpan period)
    {
        var watch = Stopwatch.StartNew();
        var start = ResourceSampler.Ticks(pid);
        await Task.Delay(period);
        return start is { } s && ResourceSampler.Ticks(pid) is { } end ? (end - s) / 100.0 / watch.Elapsed.TotalSeconds : null;
    }

    private static Process? StartTrace(int pid)
    {
        if (Environment.GetEnvironmentVariable("SENTINEL_BENCH_TRACE") is not { Length: > 0 } output)
        {
            return null;
        }

        var tool = Environment.GetEnvironmentVariable("SENTINEL_BENCH_DOTNET_TRACE") ?? "dotnet-trace";
        // SENTINEL_BENCH_TRACE_PROVIDERS: dotnet-trace's --providers instead of the sampled thread-time profile (e.g.
        // System.Diagnostics.Eventing.FrameworkEventSource:0x2:5 for the thread pool's enqueue events, each with its stack).
        var what = Environment.GetEnvironmentVariable("SENTINEL_BENCH_TRACE_PROVIDERS") is { Length: > 0 } providers
            ? $"--providers {providers}"
            : "--profile dotnet-sampled-thread-time";
        // Its progress output goes to a file: a pipe nobody reads would fill and stall it.
        return BenchPostgres.StartTool("sh", ["-c", $"exec \"$0\" collect -p \"$1\" {what} -o \"$2\" > \"$2.log\" 2>&1", tool, pid.ToString(CultureInfo.InvariantCulture), output]);
    }

    private static async Task StopTraceAsync(Process? trace)
    {
        if (trace is null)
        {
            return;
        }

        // dotnet-trace stops on Ctrl+C (it reads no key from a redirected input).
        await BenchPostgres.RunToolAsync("kill", ["-INT", trace.Id.ToString(CultureInfo.InvariantCulture)]);
        await trace.WaitForExitAsync();
        Console.WriteLine($"dotnet-trace exited with {trace.ExitCode}");
    }
}
