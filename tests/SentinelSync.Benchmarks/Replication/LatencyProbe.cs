using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// End-to-end latency, source commit to visible at the destination: a writer commits a heartbeat row
/// (<c>seq</c>, <c>clock_timestamp()</c>) at the source every <see cref="WriteInterval"/> on its own connection and
/// notes the moment its commit returned; a poller asks the destination for the highest visible <c>seq</c> every
/// <see cref="PollInterval"/>. A heartbeat's latency is the moment the poller first saw it minus its commit moment,
/// both on this process's monotonic clock (so no clock is compared across servers). The heartbeat table changes in
/// commit order after everything committed before it, so it waits behind the load wherever a tool queues changes
/// of one table; the resolution is the poll interval plus one query.
/// </summary>
internal sealed class LatencyProbe
{
    public static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(3);

    /// <summary>
    /// <c>SENTINEL_BENCH_LATENCY_LOG</c>: a file each heartbeat is appended to as it is seen (<c>seq,latency ms,UTC time
    /// seen</c>), to line slow heartbeats up with a silo's log or a process sampler.
    /// </summary>
    private static readonly string? s_log = Environment.GetEnvironmentVariable("SENTINEL_BENCH_LATENCY_LOG") is { Length: > 0 } log ? log : null;

    private readonly Dictionary<long, long> _committed = [];
    private readonly List<double> _latenciesMs = [];
    private readonly object _lock = new();

    /// <summary>Runs writer and poller until <paramref name="stop"/>, then waits (up to a deadline) for the last heartbeat to arrive.</summary>
    public async Task<LatencySummary> RunAsync(string source, Func<Task<long>> maxVisibleSeq, string table, CancellationToken stop)
    {
        var written = 0L;
        var writer = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(BenchPostgres.Unpooled(source));
            await connection.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                var seq = written + 1;
                await using (var command = BenchPostgres.Command(connection, $"INSERT INTO {table} (seq, stamped) VALUES ($1, clock_timestamp())", seq))
                {
                    await command.ExecuteNonQueryAsync();
                }

                lock (_lock)
                {
                    _committed[seq] = Stopwatch.GetTimestamp();
                }

                written = seq;
                try
                {
                    await Task.Delay(WriteInterval, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var seen = 0L;
        var drainDeadline = long.MaxValue;
        while (true)
        {
            var visible = await maxVisibleSeq();
            var now = Stopwatch.GetTimestamp();
            lock (_lock)
            {
                for (var seq = seen + 1; seq <= visible; seq++)
                {
                    if (_committed.Remove(seq, out var committed))
                    {
                        var latencyMs = Stopwatch.GetElapsedTime(committed, now).TotalMilliseconds;
                        _latenciesMs.Add(latencyMs);
                        if (s_log is not null)
                        {
                            File.AppendAllText(s_log, string.Create(CultureInfo.InvariantCulture, $"{seq},{latencyMs:F1},{DateTime.UtcNow:HH:mm:ss.fff}\n"));
                        }
                    }
                }
            }

            seen = Math.Max(seen, visible);
            if (writer.IsCompleted)
            {
                drainDeadline = Math.Min(drainDeadline, now + Stopwatch.Frequency * 120);
                if (seen >= written || now > drainDeadline)
                {
                    break;
                }
            }

            await Task.Delay(PollInterval, CancellationToken.None);
        }

        await writer;
        lock (_lock)
        {
            return LatencySummary.Of(_latenciesMs, lost: written - _latenciesMs.Count);
        }
    }

    /// <summary>The destination query for <see cref="RunAsync"/> on a Postgres destination, on one kept-open connection.</summary>
    public static Func<Task<long>> PostgresMaxSeq(NpgsqlConnection destination, string table) => async () =>
    {
        try
        {
            await using var command = new NpgsqlCommand($"SELECT coalesce(max(seq), 0) FROM {table}", destination);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    };
}

/// <summary>Latency percentiles in milliseconds over <paramref name="Samples"/> heartbeats; <paramref name="Lost"/> never arrived in time.</summary>
internal sealed record LatencySummary(int Samples, long Lost, double P50Ms, double P99Ms, double MaxMs)
{
    public static LatencySummary Of(List<double> latenciesMs, long lost)
    {
        var sorted = latenciesMs.Order().ToArray();
        double At(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new LatencySummary(sorted.Length, lost, At(0.50), At(0.99), sorted.Length == 0 ? double.NaN : sorted[^1]);
    }
}
