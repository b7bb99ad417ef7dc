using System.Globalization;
using System.Text;
using SentinelSync.Benchmarks.Replication;

namespace SentinelSync.Benchmarks.Kafka;

/// <summary>The Kafka benchmark's results: the direct pipeline and the Kafka path side by side, with ratios.</summary>
internal sealed record KafkaReport(MachineFacts Machine, string LoadAverageAtEnd, BenchSizes Sizes, StreamingResult Direct, StreamingResult ViaKafka)
{
    public bool Converged => Direct.Convergence.All(c => c.Equal) && ViaKafka.Convergence.All(c => c.Equal);

    /// <summary>Kafka path / direct for the backlog drain, the changes/s each can sustain (the live phase is paced by the load).</summary>
    public double BacklogRatio => ViaKafka.Backlog.AppliedChangesPerSecond / Direct.Backlog.AppliedChangesPerSecond;

    public string ToMarkdown()
    {
        var m = new StringBuilder();
        var d = Direct;
        var k = ViaKafka;
        m.AppendLine(Invariant($"# Postgres → Kafka → Postgres against Postgres → Postgres — {Machine.Date} ({Sizes.Mode} run)"));
        m.AppendLine();
        m.AppendLine(Invariant($"Machine: {Machine.Cores} cores ({Machine.CpuModel}), {Machine.Postgres}, .NET {Machine.DotNet}, commit {Machine.Commit}, sentinel `{Machine.Sentinel}`; load average at the start {Machine.LoadAverage}, at the end {LoadAverageAtEnd}. Everything shares the machine; compare the ratio, not absolute numbers across days."));
        m.AppendLine();
        m.AppendLine(Invariant($"Workload: the replication benchmark's (pgbench TPC-B-like at scale {Sizes.PgbenchScale}, `-c 4 -j 2`, beside the wide-row script on {Sizes.WideRows:N0} rows); live load {Sizes.LiveLoad.TotalSeconds:N0} s, backlog load {Sizes.BacklogLoad.TotalSeconds:N0} s. Direct: one pipeline, source → Postgres sink. Via Kafka: in the same single silo, `bench_out` (source → Kafka sink, Debezium JSON with schemas, lz4, idempotent producer, acks all) and `bench_in` (Kafka source → Postgres sink), Kafka being **librdkafka's mock cluster** in the benchmark process (3 brokers on 127.0.0.1, topics of 1–8 partitions): no real broker's network, disk or replication is in these figures. The backlog is written while `bench_out` is paused, so it waits in the slot, as for the direct pipeline."));
        m.AppendLine();
        m.AppendLine("| figure | direct | via Kafka | via Kafka / direct |");
        m.AppendLine("| --- | --- | --- | --- |");
        Row(m, Invariant($"initial sync ({d.InitialRows:N0} rows), rows/s"), d.InitialSyncRowsPerSecond, k.InitialSyncRowsPerSecond, "N0");
        Row(m, "live: applied changes/s (load start → caught up; paced by the load)", d.Live.AppliedChangesPerSecond, k.Live.AppliedChangesPerSecond, "N0");
        Row(m, "live: lag drained after the load stopped, s", d.Live.DrainSeconds, k.Live.DrainSeconds, "N2");
        Row(m, "live: latency commit → visible p50, ms", d.Live.Latency!.P50Ms, k.Live.Latency!.P50Ms, "N1");
        Row(m, "live: latency commit → visible p99, ms", d.Live.Latency.P99Ms, k.Live.Latency.P99Ms, "N1");
        m.AppendLine(Invariant($"| live: latency max, ms (heartbeats) | {d.Live.Latency.MaxMs:N0} ({d.Live.Latency.Samples}) | {k.Live.Latency.MaxMs:N0} ({k.Live.Latency.Samples}) | |"));
        m.AppendLine(Invariant($"| backlog: changes written while paused | {d.Backlog.Changes:N0} | {k.Backlog.Changes:N0} | |"));
        Row(m, "**backlog: applied changes/s** (resume → caught up)", d.Backlog.AppliedChangesPerSecond, k.Backlog.AppliedChangesPerSecond, "N0");
        m.AppendLine(Invariant($"| silo peak RSS, MiB / CPU s (whole run) | {d.PeakRssMiB:N0} / {d.ProcessCpuSeconds:N1} | {k.PeakRssMiB:N0} / {k.ProcessCpuSeconds:N1} | |"));
        m.AppendLine(Invariant($"| converged (every table: count + md5 of ordered rows) | {YesNo(d)} | {YesNo(k)} | |"));
        m.AppendLine();
        m.AppendLine(Invariant($"Target (issue 15): the Kafka path at least {KafkaBenchmark.Target:N1}× the direct pipeline's changes/s. Measured on the backlog drain (the live phase is paced by the load): **{BacklogRatio:N2}×**, {(BacklogRatio >= KafkaBenchmark.Target ? "met" : "not met")}."));
        m.AppendLine();
        if (k.Legs is { } legs)
        {
            m.AppendLine(Invariant($"A leg at a time (`--legs`: a second backlog of {legs.Changes:N0} changes, `bench_in` paused until `bench_out` had sent it all; each leg had the machine to itself, as on hardware of its own): Postgres → Kafka {legs.OutboundChangesPerSecond:N0} changes/s ({legs.OutboundChangesPerSecond / d.Backlog.AppliedChangesPerSecond:N2}× direct, silo {legs.OutboundCpuSeconds * 1e6 / legs.Changes:N1} µs a change), Kafka → Postgres {legs.InboundChangesPerSecond:N0} changes/s ({legs.InboundChangesPerSecond / d.Backlog.AppliedChangesPerSecond:N2}× direct, silo {legs.InboundCpuSeconds * 1e6 / legs.Changes:N1} µs a change). Not the target's measure, which has both legs share the machine."));
            m.AppendLine();
        }

        m.AppendLine("Where the time goes (per sink: destination transactions × mean changes, mean apply time; CPU seconds of the silo and of its destination sessions, sampled every 250 ms):");
        m.AppendLine();
        foreach (var (phase, pickDirect, pickKafka) in new (string, PhaseResult, PhaseResult)[] { ("live", d.Live, k.Live), ("backlog drain", d.Backlog, k.Backlog) })
        {
            m.AppendLine(Invariant($"- {phase}: direct {Sinks(pickDirect)}; via Kafka {Sinks(pickKafka)}"));
        }

        return m.ToString();
    }

    private static string Sinks(PhaseResult phase)
    {
        var sinks = phase.Stages?.Sinks.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => Invariant($"`{s.Key}` {s.Value.Batches:N0} × {s.Value.MeanBatchSize:N1}, {s.Value.MeanApplyMs:N1} ms")) ?? [];
        var cpu = phase.Usage.CpuSeconds.Where(c => c.Key.StartsWith("sentinel", StringComparison.Ordinal) || c.Key.StartsWith("destination apply", StringComparison.Ordinal))
            .Select(c => Invariant($"{c.Key} {c.Value:N1} s"));
        return string.Join(", ", sinks) + " (CPU: " + string.Join(", ", cpu) + ")";
    }

    private static string YesNo(StreamingResult result) =>
        result.Convergence.All(c => c.Equal) ? "yes" : "**no**: " + string.Join(", ", result.Convergence.Where(c => !c.Equal).Select(c => Invariant($"{c.Table} {c.DestinationRows:N0} of {c.SourceRows:N0} rows")));

    private static void Row(StringBuilder m, string figure, double direct, double viaKafka, string format) =>
        m.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {figure} | {direct.ToString(format, CultureInfo.InvariantCulture)} | {viaKafka.ToString(format, CultureInfo.InvariantCulture)} | {(direct == 0 ? "" : (viaKafka / direct).ToString("N2", CultureInfo.InvariantCulture))} |"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
