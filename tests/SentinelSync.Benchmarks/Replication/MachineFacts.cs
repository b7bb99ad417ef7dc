using System.Globalization;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>The machine and servers a run measured on, for the report.</summary>
internal sealed record MachineFacts(string Date, int Cores, string CpuModel, double RamGiB, string Postgres, string ClickHouse, string DotNet, string Commit, string LoadAverage, string Sentinel)
{
    /// <summary>The 1, 5 and 15-minute load averages from /proc/loadavg.</summary>
    public static string ReadLoadAverage() => string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static async Task<MachineFacts> ReadAsync()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memKiB = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        var postgres = await BenchPostgres.ScalarAsync<string>(BenchPostgres.Source("postgres"), "SELECT split_part(version(), ' on ', 1)");
        using var http = new HttpClient();
        var clickHouse = (await http.GetStringAsync(new Uri(TestServers.ClickHouse, "?query=SELECT%20version()"))).Trim();
        string commit;
        try
        {
            commit = (await BenchPostgres.RunToolAsync("git", ["-C", AppContext.BaseDirectory, "rev-parse", "--short", "HEAD"])).Trim();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            commit = "unknown";
        }

        return new MachineFacts(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), Environment.ProcessorCount, cpu, Math.Round(memKiB / 1048576.0, 1), postgres, clickHouse, Environment.Version.ToString(), commit, ReadLoadAverage(),
            $"{SentinelProcess.Executable} ({ReadyToRunImage.Describe(SentinelProcess.Executable)})");
    }
}
