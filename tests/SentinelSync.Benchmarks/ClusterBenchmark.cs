using System.Diagnostics;
using SentinelSync.Runtime;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks;

/// <summary>
/// Cross-silo calls on loopback (throughput, latency) and failover time (abrupt kill to the first successful
/// call on the new owner, median of 5), on a 3-silo test cluster against the local Postgres. Prints markdown.
/// </summary>
internal static class ClusterBenchmark
{
    public static async Task<int> RunAsync()
    {
        var (rate, p50, p99) = await CrossSiloCallsAsync();
        var failovers = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            failovers.Add(await FailoverAsync(run));
        }

        failovers.Sort();
        Console.WriteLine("| cluster, 3 silos on loopback (2 cores) | value |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| cross-silo calls, 64 concurrent callers | {rate:N0} calls/s |");
        Console.WriteLine($"| cross-silo call latency, one caller, p50 / p99 | {p50:N2} / {p99:N2} ms |");
        Console.WriteLine($"| failover, kill to first successful call on the new owner, median of 5 | {failovers[2]:N0} ms (runs: {string.Join(", ", failovers.Select(f => f.ToString("N0")))}) |");
        Console.WriteLine($"| failure detection settings | heartbeat {TestCluster.FastMembership().HeartbeatInterval.TotalMilliseconds} ms, death timeout {TestCluster.FastMembership().DeathTimeout.TotalMilliseconds} ms |");
        return 0;
    }

    private static async Task<(double Rate, double P50, double P99)> CrossSiloCallsAsync()
    {
        await using var cluster = await TestCluster.StartAsync(3, [typeof(PingGrain).Assembly], name: "bench_cross_silo");
        var caller = cluster.Silos[0];
        var remoteKeys = Enumerable.Range(0, 1000).Select(i => $"p{i}").Where(k => Owner(cluster, k) != caller.Name).Take(64).ToArray();
        var grains = remoteKeys.Select(k => caller.GrainFactory.GetGrain<IPingGrain>(k)).ToArray();
        await Task.WhenAll(grains.Select(g => g.PingAsync()));

        var samples = new double[5000];
        for (var i = 0; i < samples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await grains[0].PingAsync();
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        const int perCaller = 1000;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(grains.Select(g => Task.Run(async () =>
        {
            for (var i = 0; i < perCaller; i++)
            {
                await g.PingAsync();
            }
        })));
        return (grains.Length * perCaller / watch.Elapsed.TotalSeconds, samples[samples.Length / 2], samples[(int)(samples.Length * 0.99)]);
    }

    private static async Task<double> FailoverAsync(int run)
    {
        await using var cluster = await TestCluster.StartAsync(3, [typeof(PingGrain).Assembly], name: $"bench_failover_{run}");
        var victim = cluster.Silos[2];
        var survivor = cluster.Silos[0];
        var key = Enumerable.Range(0, 1000).Select(i => $"f{i}").First(k => Owner(cluster, k) == victim.Name);
        var grain = survivor.GrainFactory.GetGrain<IPingGrain>(key);
        await grain.PingAsync();

        var killed = Stopwatch.StartNew();
        await cluster.KillSiloAsync(victim);
        while (true)
        {
            try
            {
                await grain.PingAsync();
                return killed.Elapsed.TotalMilliseconds;
            }
            catch (SiloUnavailableException)
            {
                await Task.Delay(10);
            }
        }
    }

    private static string Owner(TestCluster cluster, string key) =>
        RendezvousPlacement.Owner(new GrainId("Ping", key), [.. cluster.Silos.Select(s => new MembershipEntry(s.Name, s.Address!, default, SiloStatus.Active, default, []))])!.Name;
}
