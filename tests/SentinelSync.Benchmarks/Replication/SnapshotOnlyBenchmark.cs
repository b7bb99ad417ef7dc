using System.Globalization;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// The snapshot part of the replication benchmark alone (verb <c>snapshot</c>): native copy_data and SentinelSync
/// side by side on the same table, for quicker iterations on the copy. The full run stays the reference.
/// </summary>
internal static class SnapshotOnlyBenchmark
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var sizes = arguments.Contains("--quick") ? BenchSizes.Quick : BenchSizes.Full;
        await TestServers.EnsurePostgresAsync();
        await TestServers.EnsurePostgresDestinationAsync();
        try
        {
            var result = await SnapshotBenchmark.RunAsync(sizes);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"snapshot of {result.Rows:N0} rows: native {result.Native.Seconds:N1} s, SentinelSync {result.Sentinel.Seconds:N1} s (silo ready after {result.Sentinel.ReadySeconds:N1} s): {result.Sentinel.RowsPerSecond / result.Native.RowsPerSecond:N2}× native"));
            return result.Native.Convergence.Equal && result.Sentinel.Convergence.Equal ? 0 : 1;
        }
        finally
        {
            await SnapshotBenchmark.Databases.DropAsync();
        }
    }
}
