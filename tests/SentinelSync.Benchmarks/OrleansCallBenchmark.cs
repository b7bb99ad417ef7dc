using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.TestingHost;
using SentinelSync.Replication.Cluster;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks;

/// <summary>
/// Orleans grain calls and failover as SentinelSync runs them, on <see cref="SentinelTestCluster"/> (silos in this
/// process, ADO.NET clustering on the local Postgres, SentinelSync's placement and filters, the failure detection of
/// <c>sentinel run</c>): in-silo calls of a trivial method, 10,000-row batches with and without <c>[Immutable]</c>,
/// cross-silo calls (the test cluster's in-memory transport, not TCP), and kill to the first successful call on a
/// survivor. Prints markdown.
/// </summary>
internal static class OrleansCallBenchmark
{
    private const int SequentialCalls = 300_000;
    private const int LatencySamples = 100_000;
    private const int ParallelCalls = 400_000;
    private const int BatchRows = 10_000;
    private const int BatchCalls = 200;
    private const int FailoverRuns = 5;
    private static readonly TimeSpan s_failoverDeadline = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync()
    {
        await InSiloAsync();
        await CrossSiloAsync();
        return 0;
    }

    private static async Task InSiloAsync()
    {
        await using var cluster = await SentinelTestCluster.StartAsync(1, name: "bench_orleans_in_silo");
        // A silo's own factory, called from outside any grain: calls take the in-silo path, not a gateway's.
        var factory = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();
        var one = factory.GetGrain<IPingGrain>("one");
        var grains = Enumerable.Range(0, 64).Select(i => factory.GetGrain<IPingGrain>($"g{i}")).ToArray();

        // Warm-up: activations exist and tiered compilation (with PGO) has settled on every path measured.
        await SequentialAsync(one, SequentialCalls / 2);
        await ParallelAsync(_ => one, 4, ParallelCalls / 4);
        await ParallelAsync(c => grains[c], 64, ParallelCalls / 4);

        var (rate, bytes) = await SequentialAsync(one, SequentialCalls);
        var latency = await LatencyAsync(one, LatencySamples, TimeSpan.FromMicroseconds(1));
        var sameGrain = await ParallelAsync(_ => one, 4, ParallelCalls);
        var manyGrains = await ParallelAsync(c => grains[c], 64, ParallelCalls);
        var batches = await ImmutableBatchComparison.RunAsync(one, BatchRows, BatchCalls);

        Console.WriteLine($"| in-silo call, trivial method ({Environment.ProcessorCount} cores, Orleans 10.4.2) | value |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| sequential, one caller | {rate:N0} calls/s |");
        Console.WriteLine($"| latency p50 / p99 / p99.9 | {latency.P50:N2} / {latency.P99:N2} / {latency.P999:N2} µs |");
        Console.WriteLine($"| allocated per call (sequential, whole process) | {bytes:N0} bytes |");
        Console.WriteLine($"| 4 callers, one grain | {sameGrain:N0} calls/s |");
        Console.WriteLine($"| 64 callers, 64 grains | {manyGrains:N0} calls/s |");
        foreach (var (label, microseconds, perCall) in batches)
        {
            Console.WriteLine($"| local call with a {BatchRows:N0}-row batch, {label} | {microseconds:N1} µs, {perCall:N0} bytes per call |");
        }

        Console.WriteLine();
    }

    private static async Task CrossSiloAsync()
    {
        double rate;
        (double P50, double P99, double P999) latency;
        await using (var cluster = await SentinelTestCluster.StartAsync(3, name: "bench_orleans_cross_silo"))
        {
            var caller = cluster.Cluster.Silos[0];
            var factory = caller.ServiceProvider.GetRequiredService<IGrainFactory>();
            var remote = await KeysOnAsync(cluster, factory, "x", silo => silo != NameOf(caller), 64);
            var grains = remote.Select(k => factory.GetGrain<IPingGrain>(k)).ToArray();

            await ParallelAsync(c => grains[c], grains.Length, 20_000);
            await LatencyAsync(grains[0], 2_000, TimeSpan.FromMilliseconds(1));
            latency = await LatencyAsync(grains[0], 5_000, TimeSpan.FromMilliseconds(1));
            rate = await ParallelAsync(c => grains[c], grains.Length, 64_000);
        }

        var runs = new List<(double Stopped, double Dead, double Answered, List<string> Failures)>();
        for (var run = 0; run < FailoverRuns; run++)
        {
            runs.Add(await FailoverAsync(run));
        }

        var membership = new ClusterMembershipOptions();
        SentinelTestCluster.FastFailureDetection(membership);
        Console.WriteLine($"| cluster, 3 silos in one process, in-memory transport ({Environment.ProcessorCount} cores, Orleans 10.4.2) | value |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| cross-silo calls, 64 concurrent callers | {rate:N0} calls/s |");
        Console.WriteLine($"| cross-silo call latency, one caller, p50 / p99 | {latency.P50:N3} / {latency.P99:N3} ms |");
        Console.WriteLine($"| failover: `KillSiloAsync` to the first successful call on a survivor, median (min – max) of {FailoverRuns} | {Spread(runs.Select(r => r.Answered))} |");
        Console.WriteLine($"| failover: `KillSiloAsync` returned; victim dead in the caller's membership view | {Spread(runs.Select(r => r.Stopped))}; {Spread(runs.Select(r => r.Dead))} |");
        Console.WriteLine($"| failover: failed calls before the answer, all runs (10 ms apart) | {string.Join(", ", runs.SelectMany(r => r.Failures).GroupBy(f => f).Select(g => $"{g.Key} × {g.Count()}").DefaultIfEmpty("none"))} |");
        Console.WriteLine($"| failure detection (`SentinelTestCluster.FastFailureDetection`, the `cluster` section's defaults) | probe timeout {membership.ProbeTimeout.TotalMilliseconds:N0} ms, {membership.NumMissedProbesLimit} missed probes, {membership.NumProbedSilos} probed silos, {membership.NumVotesForDeathDeclaration} votes, table refresh {membership.TableRefreshTimeout.TotalSeconds:N0} s, I-am-alive every {membership.IAmAliveTablePublishTimeout.TotalSeconds:N0} s |");
    }

    /// <summary>
    /// Milliseconds from the kill to <c>KillSiloAsync</c> returning, to the victim declared dead in the caller's membership
    /// view and to the grain's first answer from a survivor; the failed calls in between by exception type. Not a crash:
    /// the in-process kill still lets the victim record itself Stopping (and gossip it), so no probe has to miss; the
    /// probe-based detection of a SIGKILLed <c>sentinel</c> process is not measured here.
    /// </summary>
    private static async Task<(double Stopped, double Dead, double Answered, List<string> Failures)> FailoverAsync(int run)
    {
        await using var cluster = await SentinelTestCluster.StartAsync(3, name: $"bench_orleans_failover_{run}");
        var survivor = cluster.Cluster.Silos[0];
        var victim = cluster.Cluster.Silos[2];
        var (victimName, victimAddress) = (NameOf(victim), victim.SiloAddress);
        var factory = survivor.ServiceProvider.GetRequiredService<IGrainFactory>();
        var grain = factory.GetGrain<IPingGrain>((await KeysOnAsync(cluster, factory, "f", silo => silo == victimName, 1))[0]);
        using var deadline = new CancellationTokenSource(s_failoverDeadline);

        var failures = new List<string>();
        Exception? lastFailure = null;
        var view = survivor.ServiceProvider.GetRequiredService<IClusterMembershipService>();
        var killed = Stopwatch.StartNew();
        var dead = DeclaredDeadAsync(view, victimAddress, killed, deadline.Token);
        await cluster.Cluster.KillSiloAsync(victim);
        var stopped = killed.Elapsed.TotalMilliseconds;
        while (true)
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Failover run {run}: no answer from a survivor within {s_failoverDeadline.TotalSeconds} s; victim {view.CurrentSnapshot.GetSiloStatus(victimAddress)} in the caller's view; {failures.Count} failed calls, the last: {lastFailure}");
            }

            string silo;
            try
            {
                silo = await grain.SiloAsync();
            }
            catch (Exception e)
            {
                // The outage being measured: every call until a survivor holds a new activation fails.
                lastFailure = e;
                failures.Add(e.GetType().Name);
                await Task.Delay(10);
                continue;
            }

            var answered = killed.Elapsed.TotalMilliseconds;
            Console.Error.WriteLine($"failover run {run}: stopped {stopped:N0} ms, answered {answered:N0} ms, {failures.Count} failed calls");
            return silo != victimName
                ? (stopped, await dead, answered, failures)
                : throw new InvalidOperationException($"Failover run {run}: the grain answered from the killed silo {silo}.");
        }
    }

    private static async Task<double> DeclaredDeadAsync(IClusterMembershipService view, SiloAddress victim, Stopwatch killed, CancellationToken cancellationToken)
    {
        await foreach (var snapshot in view.MembershipUpdates.WithCancellation(cancellationToken))
        {
            if (snapshot.GetSiloStatus(victim) == SiloStatus.Dead)
            {
                return killed.Elapsed.TotalMilliseconds;
            }
        }

        throw new InvalidOperationException("The membership updates ended before the victim was declared dead.");
    }

    /// <summary>
    /// <paramref name="count"/> keys of rendezvous-placed grains whose owner satisfies <paramref name="where"/>, picked with
    /// <see cref="RendezvousPlacement.Owner"/> and checked by asking each grain its silo (placement must not have drifted).
    /// </summary>
    private static async Task<string[]> KeysOnAsync(SentinelTestCluster cluster, IGrainFactory factory, string prefix, Func<string, bool> where, int count)
    {
        var names = cluster.Cluster.Silos.Select(NameOf).ToArray();
        var keys = Enumerable.Range(0, 10_000).Select(i => $"{prefix}{i}")
            .Where(k => where(RendezvousPlacement.Owner(PingGrain.GrainTypeName, k, names)!)).Take(count).ToArray();
        foreach (var key in keys)
        {
            var silo = await factory.GetGrain<IPingGrain>(key).SiloAsync();
            if (!where(silo))
            {
                throw new InvalidOperationException($"Grain {key} was placed on {silo}, not where rendezvous placement over [{string.Join(", ", names)}] puts it.");
            }
        }

        return keys;
    }

    private static async Task<(double Rate, double BytesPerCall)> SequentialAsync(IPingGrain grain, int calls)
    {
        // Whole-process and precise: a call's continuation may resume on another thread, so per-thread counters miss part.
        var bytes = GC.GetTotalAllocatedBytes(true);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            await grain.PingAsync();
        }

        watch.Stop();
        return (calls / watch.Elapsed.TotalSeconds, (GC.GetTotalAllocatedBytes(true) - bytes) / (double)calls);
    }

    private static async Task<(double P50, double P99, double P999)> LatencyAsync(IPingGrain grain, int calls, TimeSpan unit)
    {
        var samples = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await grain.PingAsync();
            samples[i] = Stopwatch.GetElapsedTime(started) / unit;
        }

        Array.Sort(samples);
        return (samples[calls / 2], samples[(int)(calls * 0.99)], samples[(int)(calls * 0.999)]);
    }

    private static async Task<double> ParallelAsync(Func<int, IPingGrain> grainFor, int callers, int calls)
    {
        var perCaller = calls / callers;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var grain = grainFor(caller);
            for (var i = 0; i < perCaller; i++)
            {
                await grain.PingAsync();
            }
        })));
        return perCaller * callers / watch.Elapsed.TotalSeconds;
    }

    private static string NameOf(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<ILocalSiloDetails>().Name;

    private static string Spread(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return $"{sorted[sorted.Length / 2]:N0} ms ({sorted[0]:N0} – {sorted[^1]:N0})";
    }
}
