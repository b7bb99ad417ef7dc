using System.Diagnostics;
using SentinelSync.Runtime;

namespace SentinelSync.Benchmarks;

/// <summary>
/// In-silo grain call throughput, latency and allocations for a trivial method. Prints a markdown table.
/// Calls go through the generated reference and the activation's turn scheduling, as grain code's do.
/// </summary>
internal static class RuntimeCallBenchmark
{
    private const int Calls = 2_000_000;

    public static async Task<int> RunAsync()
    {
        await using var silo = await Silo.StartAsync(new SiloOptions { Name = "bench" }, grainAssemblies: [typeof(PingGrain).Assembly]);
        var one = silo.GrainFactory.GetGrain<IPingGrain>("one");
        await one.PingAsync();

        // Warm-up so tiered compilation settles before measuring.
        await SequentialAsync(one, 200_000);

        var (sequentialRate, allocated) = await SequentialAsync(one, Calls);
        var latency = await LatencyAsync(one, 200_000);
        var parallelSame = await ParallelAsync(_ => one, callers: Environment.ProcessorCount * 2, Calls);
        var grains = Enumerable.Range(0, 64).Select(i => silo.GrainFactory.GetGrain<IPingGrain>($"g{i}")).ToArray();
        var parallelMany = await ParallelAsync(caller => grains[caller % grains.Length], callers: 64, Calls);

        Console.WriteLine($"| in-silo call, trivial method ({Environment.ProcessorCount} cores) | value |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| sequential, one caller | {sequentialRate:N0} calls/s |");
        Console.WriteLine($"| latency p50 / p99 / p99.9 | {latency.P50:N2} / {latency.P99:N2} / {latency.P999:N2} µs |");
        Console.WriteLine($"| allocated per call (sequential) | {allocated:N1} bytes |");
        Console.WriteLine($"| {Environment.ProcessorCount * 2} callers, one grain | {parallelSame:N0} calls/s |");
        Console.WriteLine($"| 64 callers, 64 grains | {parallelMany:N0} calls/s |");
        return 0;
    }

    private static async Task<(double Rate, double BytesPerCall)> SequentialAsync(IPingGrain grain, int calls)
    {
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            await grain.PingAsync();
        }

        watch.Stop();
        return (calls / watch.Elapsed.TotalSeconds, (GC.GetAllocatedBytesForCurrentThread() - bytes) / (double)calls);
    }

    private static async Task<(double P50, double P99, double P999)> LatencyAsync(IPingGrain grain, int calls)
    {
        var samples = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await grain.PingAsync();
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
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
}
