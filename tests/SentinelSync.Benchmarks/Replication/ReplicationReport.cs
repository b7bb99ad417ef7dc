using System.Globalization;
using System.Text;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>Everything one run measured, written as JSON and rendered as markdown.</summary>
internal sealed record ReplicationReport(
    MachineFacts Machine, BenchSizes Sizes, string HistoryKey, StreamingResult Native, StreamingResult Sentinel,
    SnapshotResult Snapshot, ClickHouseResult ClickHouse, List<TargetCheck> Targets, bool Converged)
{
    /// <summary>/proc/loadavg (1, 5, 15 minutes) when the run ended.</summary>
    public string LoadAverageAtEnd { get; init; } = MachineFacts.ReadLoadAverage();

    public static ReplicationReport Create(MachineFacts machine, BenchSizes sizes, StreamingResult native, StreamingResult sentinel, SnapshotResult snapshot, ClickHouseResult clickHouse)
    {
        var backlogRatio = sentinel.Backlog.AppliedChangesPerSecond / native.Backlog.AppliedChangesPerSecond;
        var snapshotRatio = snapshot.Sentinel.RowsPerSecond / snapshot.Native.RowsPerSecond;
        var p99 = sentinel.Live.Latency!.P99Ms;
        var cpuRatio = CpuPerChange(sentinel.Live) / CpuPerChange(native.Live);
        var clickHouseP99 = clickHouse.Latency.P99Ms;
        var rss = new[] { sentinel.PeakRssMiB, snapshot.Sentinel.PeakRssMiB, clickHouse.PeakRssMiB }.Max() ?? double.NaN;
        // The "must reach" column of issue #17. The live load is time-boxed, so the two live phases apply different
        // numbers of changes (native's far more): CPU compares per change, never as totals.
        List<TargetCheck> targets =
        [
            new("snapshot ≥ 1.0× native copy_data rows/s (aim 1.5×)", $"{snapshotRatio:N2}×", snapshotRatio >= 1.0, $"{snapshotRatio:P0} of the target"),
            new("backlog catch-up ≥ 1.5× native changes/s (aim 2×)", $"{backlogRatio:N2}×", backlogRatio >= 1.5, $"{backlogRatio / 1.5:P0} of the target"),
            new("live p99 commit→visible ≤ 50 ms", $"{p99:N0} ms", p99 <= 50, p99 <= 50 ? $"{50 - p99:N0} ms to spare" : $"{p99 / 50:N1}× the limit"),
            new("CPU per change, live phase ≤ 1.5× native", $"{cpuRatio:N2}×", cpuRatio <= 1.5, cpuRatio <= 1.5 ? "met" : $"{cpuRatio / 1.5:N1}× the limit"),
            new("ClickHouse snapshot ≥ 300,000 rows/s", $"{clickHouse.SnapshotRowsPerSecond:N0} rows/s", clickHouse.SnapshotRowsPerSecond >= 300_000, $"{clickHouse.SnapshotRowsPerSecond / 300_000:P0} of the target"),
            new("ClickHouse streaming p99 < 500 ms", $"{clickHouseP99:N0} ms", clickHouseP99 < 500, clickHouseP99 < 500 ? $"{500 - clickHouseP99:N0} ms to spare" : $"{clickHouseP99 / 500:N1}× the limit"),
            new("peak RSS < 512 MiB, every run", $"{rss:N0} MiB", rss < 512, rss < 512 ? $"{512 - rss:N0} MiB to spare" : $"{rss - 512:N0} MiB over"),
        ];
        var converged = native.Convergence.All(c => c.Equal) && sentinel.Convergence.All(c => c.Equal)
            && snapshot.Native.Convergence.Equal && snapshot.Sentinel.Convergence.Equal && clickHouse.Converged;
        return new ReplicationReport(machine, sizes, Workload.HistoryKeyNote, native, sentinel, snapshot, clickHouse, targets, converged);
    }

    public string ToMarkdown()
    {
        var m = new StringBuilder();
        var (n, s) = (Native, Sentinel);
        m.AppendLine(Invariant($"# SentinelSync vs native logical replication — {Machine.Date} ({Sizes.Mode} run)"));
        m.AppendLine();
        m.AppendLine(Invariant($"Machine: {Machine.Cores} cores ({Machine.CpuModel}), {Machine.RamGiB:N1} GiB RAM, {Machine.Postgres}, ClickHouse {Machine.ClickHouse}, .NET {Machine.DotNet}, commit {Machine.Commit}, sentinel `{Machine.Sentinel}`; load average at the start {Machine.LoadAverage}, at the end {LoadAverageAtEnd}. Source, destination, ClickHouse, SentinelSync and the load share the machine (and whatever else runs on it: a load average well above 2 means other work competed); compare ratios, not absolute numbers across days."));
        m.AppendLine();
        m.AppendLine(Invariant($"Workload: pgbench TPC-B-like, scale {Sizes.PgbenchScale}, `-c 4 -j 2`, beside a wide-row script (1 client: text, numeric(14,4), jsonb, a {3_200:N0}-character TOASTed text column stored EXTERNAL; 60% updates leaving it unchanged, 10% updates rewriting it, 20% inserts, 10% deletes) on {Sizes.WideRows:N0} initial rows. {HistoryKey}. Live load {Sizes.LiveLoad.TotalSeconds:N0} s, backlog load {Sizes.BacklogLoad.TotalSeconds:N0} s. Changes counted at the source (pg_stat_user_tables inserts + updates + deletes)."));
        m.AppendLine();
        m.AppendLine("| figure | native | SentinelSync | SentinelSync / native |");
        m.AppendLine("| --- | --- | --- | --- |");
        Row(m, $"initial sync of the pgbench + wide tables ({n.InitialRows:N0} rows), rows/s", n.InitialSyncRowsPerSecond, s.InitialSyncRowsPerSecond, "N0");
        Row(m, "live: load produced, changes/s (same load, shares the CPU with the tool)", n.Live.ProducedChangesPerSecond, s.Live.ProducedChangesPerSecond, "N0");
        m.AppendLine(Invariant($"| live: changes replicated | {n.Live.Changes:N0} | {s.Live.Changes:N0} | |"));
        Row(m, "live: applied changes/s (load start → caught up)", n.Live.AppliedChangesPerSecond, s.Live.AppliedChangesPerSecond, "N0");
        Row(m, "live: lag drained after the load stopped, s", n.Live.DrainSeconds, s.Live.DrainSeconds, "N2");
        Row(m, "live: latency p50, ms", n.Live.Latency!.P50Ms, s.Live.Latency!.P50Ms, "N1");
        Row(m, "live: latency p99, ms", n.Live.Latency.P99Ms, s.Live.Latency.P99Ms, "N1");
        m.AppendLine(Invariant($"| live: latency max, ms (heartbeats measured) | {n.Live.Latency.MaxMs:N0} ({n.Live.Latency.Samples}) | {s.Live.Latency.MaxMs:N0} ({s.Live.Latency.Samples}) | |"));
        m.AppendLine(Invariant($"| backlog: changes written while paused | {n.Backlog.Changes:N0} | {s.Backlog.Changes:N0} | |"));
        Row(m, "backlog: catch-up time, s", n.Backlog.DrainSeconds, s.Backlog.DrainSeconds, "N2");
        Row(m, "backlog: applied changes/s", n.Backlog.AppliedChangesPerSecond, s.Backlog.AppliedChangesPerSecond, "N0");
        Row(m, "CPU s, live phase: walsender + apply side (native worker / sentinel process + its destination sessions)", ReplicationCpu(n.Live), ReplicationCpu(s.Live), "N1");
        Row(m, "CPU s, backlog drain: walsender + apply side", ReplicationCpu(n.Backlog), ReplicationCpu(s.Backlog), "N1");
        Row(m, "CPU ms per 1,000 changes, live phase: walsender + apply side", 1e6 * CpuPerChange(n.Live), 1e6 * CpuPerChange(s.Live), "N1");
        Row(m, "CPU ms per 1,000 changes, backlog drain: walsender + apply side", 1e6 * CpuPerChange(n.Backlog), 1e6 * CpuPerChange(s.Backlog), "N1");
        m.AppendLine(Invariant($"| SentinelSync process: peak RSS (VmHWM) / CPU s, whole streaming run | | {s.PeakRssMiB:N0} MiB / {s.ProcessCpuSeconds:N1} s | |"));
        Row(m, $"snapshot of {Snapshot.Rows:N0} rows ({Snapshot.TableMiB:N0} MiB), rows/s", Snapshot.Native.RowsPerSecond, Snapshot.Sentinel.RowsPerSecond, "N0");
        Row(m, "snapshot time, s", Snapshot.Native.Seconds, Snapshot.Sentinel.Seconds, "N1");
        m.AppendLine(Invariant($"| snapshot: SentinelSync peak RSS / CPU s | | {Snapshot.Sentinel.PeakRssMiB:N0} MiB / {Snapshot.Sentinel.ProcessCpuSeconds:N1} s | |"));
        m.AppendLine(Invariant($"| snapshot: of which process start to silo ready, s | | {Snapshot.Sentinel.ReadySeconds:N1} | |"));
        m.AppendLine(Invariant($"| converged (every table: count + md5 of ordered rows) | {Yes(n.Convergence.All(c => c.Equal) && Snapshot.Native.Convergence.Equal)} | {Yes(s.Convergence.All(c => c.Equal) && Snapshot.Sentinel.Convergence.Equal)} | |"));
        m.AppendLine();
        var c = ClickHouse;
        m.AppendLine("| Postgres → ClickHouse through `sentinel run` | value |");
        m.AppendLine("| --- | --- |");
        m.AppendLine(Invariant($"| snapshot, {c.SnapshotRows:N0} rows, process start to last row | {c.SnapshotRowsPerSecond:N0} rows/s ({c.SnapshotSeconds:N1} s) |"));
        m.AppendLine(Invariant($"| backlog of {c.ChangesPerPhase:N0} changes, process start to last change | {c.BacklogChangesPerSecond:N0} changes/s ({c.BacklogSeconds:N1} s) |"));
        m.AppendLine(Invariant($"| steady streaming, {c.ChangesPerPhase:N0} changes in 1,000-row transactions | {c.SteadyChangesPerSecond:N0} changes/s ({c.SteadySeconds:N1} s) |"));
        m.AppendLine(Invariant($"| latency while streaming, p50 / p99 ({c.Latency.Samples} heartbeats) | {c.Latency.P50Ms:N0} / {c.Latency.P99Ms:N0} ms |"));
        if (c.Paced is { } paced)
        {
            m.AppendLine(Invariant($"| paced streaming: {paced.Changes:N0} changes in {ClickHousePipelineBenchmark.PacedRowsPerTransaction}-row transactions at {paced.Changes / paced.WriteSeconds:N0} changes/s; latency p50 / p99 ({paced.Latency.Samples} heartbeats) | {paced.Latency.P50Ms:N0} / {paced.Latency.P99Ms:N0} ms |"));
        }

        m.AppendLine(Invariant($"| peak RSS | {c.PeakRssMiB:N0} MiB |"));
        m.AppendLine(Invariant($"| converged (live rows through FINAL) | {Yes(c.Converged)} |"));
        m.AppendLine();
        m.AppendLine("| target (issue #17, must reach) | measured | met | by how much |");
        m.AppendLine("| --- | --- | --- | --- |");
        foreach (var t in Targets)
        {
            m.AppendLine(Invariant($"| {t.Target} | {t.Measured} | {Yes(t.Met)} | {t.Margin} |"));
        }

        m.AppendLine();
        m.AppendLine(Invariant($"Reference figures for native replication quoted in the issue (another day): backlog ≈ 73,000 changes/s, live ≈ 13,000 changes/s drained in ≈ 0.15 s, copy_data ≈ 346,000 rows/s; measured here today: {n.Backlog.AppliedChangesPerSecond:N0}, {n.Live.ProducedChangesPerSecond:N0} drained in {n.Live.DrainSeconds:N2} s, {Snapshot.Native.RowsPerSecond:N0}."));
        m.AppendLine();
        m.AppendLine("## Where the time goes (sampled every 250 ms: CPU from /proc, wait events and statements from pg_stat_activity, as average sessions)");
        m.AppendLine();
        foreach (var (tool, result) in new[] { ("native", n), ("SentinelSync", s) })
        {
            foreach (var (phase, usage) in new[] { ("live", result.Live.Usage), ("paused during the backlog load", result.Backlog.WhilePaused!), ("backlog drain", result.Backlog.Usage) })
            {
                m.AppendLine(Invariant($"- {tool}, {phase}: CPU s {Join(usage.CpuSeconds.OrderByDescending(c => c.Value).ToDictionary())}"));
                foreach (var (role, waits) in usage.WaitEvents.Where(w => w.Key.Contains("apply", StringComparison.Ordinal) || w.Key.Contains("walsender", StringComparison.Ordinal)))
                {
                    m.AppendLine(Invariant($"  - {role}: {Join(waits)}"));
                }

                foreach (var (role, statements) in usage.Statements.Where(w => w.Key.Contains("sentinel sessions", StringComparison.Ordinal)))
                {
                    m.AppendLine(Invariant($"  - {role}, active statements: {Join(statements.Take(4).ToDictionary(e => "`" + e.Key.Replace("|", "/", StringComparison.Ordinal) + "`", e => e.Value))}"));
                }
            }
        }

        foreach (var (phase, stagesOfPhase) in new[] { ("live", s.Live.Stages), ("backlog drain", s.Backlog.Stages) })
        {
            if (stagesOfPhase is { } p)
            {
                m.AppendLine(Invariant($"- SentinelSync /metrics, {phase}: {p.ChangesApplied:N0} changes applied in {p.Batches:N0} destination transactions (mean {p.MeanBatchSize:N1} changes, mean {p.MeanApplyMs:N1} ms each, {p.ApplySeconds:N1} s summed over the table sinks); runtime: {p.Runtime.Describe(p.ChangesApplied)}."));
            }
        }

        if (s.Stages is { } stages)
        {
            m.AppendLine(Invariant($"- SentinelSync /metrics over the streaming run: {stages.ChangesApplied:N0} changes applied in {stages.Batches:N0} destination transactions (mean {stages.MeanBatchSize:N1} changes, mean {stages.MeanApplyMs:N1} ms each, {stages.ApplySeconds:N1} s summed over the table sinks)."));
        }

        m.AppendLine();
        m.AppendLine("Latency: a heartbeat row committed every 50 ms at the source on its own connection, the destination polled for the highest visible heartbeat every 3 ms; latency = first seen − commit returned, on the harness's monotonic clock.");
        return m.ToString();
    }

    private static double ReplicationCpu(PhaseResult phase) =>
        phase.Usage.CpuSeconds.Where(c => c.Key is "source walsender" or "sentinel process" || c.Key.StartsWith("destination apply", StringComparison.Ordinal)).Sum(c => c.Value);

    private static double CpuPerChange(PhaseResult phase) => ReplicationCpu(phase) / phase.Changes;

    private static void Row(StringBuilder m, string what, double native, double sentinel, string format) =>
        m.AppendLine(Invariant($"| {what} | {native.ToString(format, CultureInfo.InvariantCulture)} | {sentinel.ToString(format, CultureInfo.InvariantCulture)} | {sentinel / native:N2} |"));

    private static string Join(Dictionary<string, double> values) =>
        string.Join(", ", values.Select(v => Invariant($"{v.Key} {v.Value:0.##}")));

    private static string Yes(bool value) => value ? "yes" : "**no**";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

internal sealed record TargetCheck(string Target, string Measured, bool Met, string Margin);
