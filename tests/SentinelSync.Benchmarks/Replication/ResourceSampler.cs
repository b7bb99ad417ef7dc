using System.Globalization;
using Npgsql;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// Samples, every <see cref="Interval"/> while a phase runs: the CPU time (/proc/PID/stat utime + stime) of the
/// sentinel process and of the Postgres backends that serve the replication (the source's walsender, the
/// destination's apply worker or SentinelSync's sessions) and the pgbench sessions; and their wait events from
/// pg_stat_activity (a NULL wait event of an active backend counts as <c>CPU</c>) and the statements active
/// sessions run (their first words). Backends are told apart by backend_type and application_name; the harness's
/// own sessions are left out. Wait events and statements are given as the average number of sessions per sample
/// in that state. A backend that ends between two samples loses at most one interval of CPU time.
/// </summary>
internal sealed class ResourceSampler(string sourceDatabase, string destinationDatabase, Func<int?> sentinelPid)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private static readonly double s_ticksPerSecond = 100; // USER_HZ on Linux

    private const string ActivitySql = """
        SELECT pid, backend_type, coalesce(application_name, ''), state, wait_event_type, wait_event, left(regexp_replace(query, '\s+', ' ', 'g'), 60)
        FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND coalesce(application_name, '') <> $2
        """;

    private readonly Dictionary<(string Role, int Pid), (long First, long Last)> _ticks = [];
    private readonly Dictionary<string, Dictionary<string, int>> _waits = [];
    private readonly Dictionary<string, Dictionary<string, int>> _statements = [];
    private int _samples;

    public async Task<ResourceUsage> RunAsync(CancellationToken stop)
    {
        await using var source = new NpgsqlConnection(BenchPostgres.Source("postgres"));
        await using var destination = new NpgsqlConnection(BenchPostgres.Destination("postgres"));
        await source.OpenAsync(CancellationToken.None);
        await destination.OpenAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            _samples++;
            await SampleAsync(source, sourceDatabase, "source");
            await SampleAsync(destination, destinationDatabase, "destination");
            if (sentinelPid() is { } pid && Ticks(pid) is { } ticks)
            {
                Record("sentinel process", pid, ticks);
            }

            try
            {
                await Task.Delay(Interval, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        var cpu = _ticks.GroupBy(t => t.Key.Role).ToDictionary(g => g.Key, g => Math.Round(g.Sum(t => t.Value.Last - t.Value.First) / s_ticksPerSecond, 2));
        return new ResourceUsage(_samples, cpu, Averages(_waits), Averages(_statements));
    }

    private async Task SampleAsync(NpgsqlConnection connection, string database, string side)
    {
        await using var command = BenchPostgres.Command(connection, ActivitySql, database, BenchPostgres.HarnessApplicationName);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int Pid, string Role, string Wait, string? Statement)>();
        while (await reader.ReadAsync())
        {
            var backendType = reader.GetString(1);
            var application = reader.GetString(2);
            var state = reader.IsDBNull(3) ? "" : reader.GetString(3);
            var role = application == "pgbench" ? "pgbench sessions"
                : backendType == "walsender" ? "source walsender"
                : backendType.StartsWith("logical replication", StringComparison.Ordinal) ? "destination apply (native worker)"
                : backendType != "client backend" ? $"{side} background ({backendType})"
                : side == "destination" ? "destination apply (sentinel sessions)"
                : "source sentinel sessions (snapshot, control)";
            var wait = reader.IsDBNull(4) ? (state == "active" ? "CPU" : state) : reader.GetString(4) + ":" + reader.GetString(5);
            rows.Add((reader.GetInt32(0), role, wait, state == "active" && !reader.IsDBNull(6) ? reader.GetString(6) : null));
        }

        foreach (var (pid, role, wait, statement) in rows)
        {
            if (Ticks(pid) is { } ticks)
            {
                Record(role, pid, ticks);
            }

            if (role != "pgbench sessions")
            {
                Count(_waits, role, wait);
                if (statement is not null)
                {
                    Count(_statements, role, statement);
                }
            }
        }
    }

    private static void Count(Dictionary<string, Dictionary<string, int>> counts, string role, string key)
    {
        var ofRole = counts.TryGetValue(role, out var existing) ? existing : counts[role] = [];
        ofRole[key] = ofRole.GetValueOrDefault(key) + 1;
    }

    private Dictionary<string, Dictionary<string, double>> Averages(Dictionary<string, Dictionary<string, int>> counts) => counts.ToDictionary(
        c => c.Key,
        c => c.Value.OrderByDescending(e => e.Value).Take(8).ToDictionary(e => e.Key, e => Math.Round((double)e.Value / Math.Max(1, _samples), 2)));

    private void Record(string role, int pid, long ticks) =>
        _ticks[(role, pid)] = _ticks.TryGetValue((role, pid), out var seen) ? (seen.First, ticks) : (ticks, ticks);

    /// <summary>utime + stime of a process in clock ticks, or null when it is gone.</summary>
    public static long? Ticks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The peak resident set size (VmHWM) of a process in MiB, or null when it is gone.</summary>
    public static double? PeakRssMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return Math.Round(long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0, 1);
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>CPU seconds per role during a phase; per role, the average number of sessions in each wait event and running each statement.</summary>
internal sealed record ResourceUsage(
    int Samples, Dictionary<string, double> CpuSeconds, Dictionary<string, Dictionary<string, double>> WaitEvents, Dictionary<string, Dictionary<string, double>> Statements);
