using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// The replication benchmark's streaming part alone (initial sync, live load with latency heartbeats, backlog) for the
/// tools named, one after the other: for comparing builds on live latency without the snapshot and ClickHouse parts.
/// <c>--quick</c> for the smoke sizes; <c>--live-seconds N</c> sets the live load's length.
/// </summary>
internal static class StreamingOnlyBenchmark
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var sizes = arguments.Contains("--quick") ? BenchSizes.Quick : BenchSizes.Full;
        if (Array.IndexOf(arguments, "--live-seconds") is var at and >= 0 && at + 1 < arguments.Length)
        {
            sizes = sizes with { LiveLoad = TimeSpan.FromSeconds(int.Parse(arguments[at + 1], System.Globalization.CultureInfo.InvariantCulture)) };
        }

        var tools = arguments.Where(a => a is "native" or "sentinelsync" or "via-kafka").DefaultIfEmpty("sentinelsync").ToList();
        await TestServers.EnsurePostgresAsync();
        await TestServers.EnsurePostgresDestinationAsync();
        var converged = true;
        foreach (var tool in tools)
        {
            try
            {
                var result = await StreamingBenchmark.RunAsync(tool, sizes);
                foreach (var (phase, run) in new[] { ("live", result.Live), ("backlog", result.Backlog) })
                {
                    var cpu = string.Join(", ", run.Usage.CpuSeconds.Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.Key} {c.Value:N2}")));
                    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{tool}] {phase} CPU seconds: {cpu}; per 1,000 changes {1000 * run.Usage.CpuSeconds.Values.Sum() / run.Changes:N3}"));
                }

                converged &= result.Convergence.All(c => c.Equal);
            }
            finally
            {
                await StreamingBenchmark.Databases.DropAsync();
            }
        }

        return converged ? 0 : 1;
    }
}
