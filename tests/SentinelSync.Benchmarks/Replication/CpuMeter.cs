using Npgsql;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// CPU seconds (/proc/PID/stat utime + stime) used during one phase by the sentinel process and by the Postgres
/// backends serving one replication: the source's walsender(s) and every destination backend of the destination
/// database (SentinelSync's sessions or the native apply worker), the harness's own sessions left out. Unlike
/// <see cref="ResourceSampler"/>, a backend first seen during the phase is counted from zero (it was born in the
/// phase: a walsender started by a resume, a pooled session opened by the sink), and the sentinel process is read
/// exactly at the start and the end. Backends are polled every 100 ms; one that ends between polls loses at most
/// that interval.
/// </summary>
internal sealed class CpuMeter(string sourceDatabase, string destinationDatabase, int? sentinelPid)
{
    private readonly Dictionary<(string Role, int Pid), (long First, long Last)> _ticks = [];
    private readonly HashSet<int> _atStart = [];
    private long? _sentinelStart;

    /// <summary>Records what exists now; call right before the phase starts.</summary>
    public async Task StartAsync()
    {
        foreach (var (role, pid) in await BackendsAsync())
        {
            _atStart.Add(pid);
            Record(role, pid);
        }

        _sentinelStart = sentinelPid is { } pid2 ? ResourceSampler.Ticks(pid2) : null;
    }

    /// <summary>Polls until <paramref name="stop"/>, then reads everything once more.</summary>
    public async Task<Dictionary<string, double>> RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await PollAsync();
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await PollAsync();
        var seconds = _ticks.GroupBy(t => t.Key.Role).ToDictionary(g => g.Key, g => g.Sum(t => t.Value.Last - t.Value.First) / 100.0);
        if (sentinelPid is { } pid && _sentinelStart is { } start && ResourceSampler.Ticks(pid) is { } end)
        {
            seconds["sentinel process"] = (end - start) / 100.0;
        }

        return seconds;
    }

    private async Task PollAsync()
    {
        foreach (var (role, pid) in await BackendsAsync())
        {
            Record(role, pid);
        }
    }

    private void Record(string role, int pid)
    {
        if (ResourceSampler.Ticks(pid) is not { } ticks)
        {
            return;
        }

        _ticks[(role, pid)] = _ticks.TryGetValue((role, pid), out var seen)
            ? (seen.First, ticks)
            : (_atStart.Contains(pid) ? ticks : 0, ticks);
    }

    private async Task<List<(string Role, int Pid)>> BackendsAsync()
    {
        const string sql = """
            SELECT pid, backend_type FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid() AND coalesce(application_name, '') NOT IN ($2, 'pgbench')
            """;
        var found = new List<(string, int)>();
        foreach (var (server, database, side) in new[] { (BenchPostgres.Source("postgres"), sourceDatabase, "source"), (BenchPostgres.Destination("postgres"), destinationDatabase, "destination") })
        {
            var rows = await BenchPostgres.QueryAsync(server, sql, r => (r.GetInt32(0), r.GetString(1)), database, BenchPostgres.HarnessApplicationName);
            foreach (var (pid, backendType) in rows)
            {
                var role = backendType == "walsender" ? "source walsender"
                    : side == "destination" ? "destination backends (apply)"
                    : "source sessions (sentinel control, catalog)";
                found.Add((role, pid));
            }
        }

        return found;
    }
}
