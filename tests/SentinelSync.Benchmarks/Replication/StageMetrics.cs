using System.Globalization;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// Per-stage figures from a silo's /metrics at the end of a run: changes received from the source and applied by
/// the sink, destination transactions (batches) with their mean size and mean apply time, and the time spent in
/// grain calls (Orleans' <c>orleans_app_requests_latency_milliseconds</c>, which has no grain-type label: one entry, <c>all</c>),
/// and the .NET runtime's own counters (<see cref="RuntimeCounters"/>).
/// </summary>
internal sealed record StageMetrics(
    long ChangesReceived, long ChangesApplied, long Batches, double MeanBatchSize, double ApplySeconds, double MeanApplyMs,
    Dictionary<string, double> GrainCallSeconds)
{
    public static StageMetrics Parse(string metrics)
    {
        var samples = metrics.Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => (Name: l[..l.LastIndexOf(' ')], Value: double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToList();
        double Sum(string prefix) => samples.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal)).Sum(s => s.Value);
        double Bucket(string prefix, string le) => samples.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) && s.Name.Contains($"le=\"{le}\"", StringComparison.Ordinal)).Sum(s => s.Value);
        var batches = (long)Sum("sentinel_sink_batch_size_count");
        var applySeconds = Sum("sentinel_sink_apply_duration_seconds_sum");
        var grainSeconds = new Dictionary<string, double> { ["all"] = Math.Round(Sum("orleans_app_requests_latency_milliseconds_sum") / 1000, 2) };
        double SinkSum(string prefix, string sink) => samples.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) && s.Name.Contains($"sink=\"{sink}\"", StringComparison.Ordinal)).Sum(s => s.Value);
        var sinks = samples.Select(s => System.Text.RegularExpressions.Regex.Match(s.Name, "^sentinel_sink_batch_size_count\\{.*sink=\"([^\"]*)\"")).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct()
            .ToDictionary(sink => sink, sink => new SinkStage((long)SinkSum("sentinel_sink_batch_size_count", sink), (long)SinkSum("sentinel_sink_changes_applied_total", sink), SinkSum("sentinel_sink_apply_duration_seconds_sum", sink)));
        return new StageMetrics(
            (long)Sum("sentinel_pipeline_changes_received_total"), (long)Sum("sentinel_sink_changes_applied_total"), batches,
            batches == 0 ? 0 : Math.Round(Sum("sentinel_sink_batch_size_sum") / batches, 1), Math.Round(applySeconds, 2),
            batches == 0 ? 0 : Math.Round(1000 * applySeconds / batches, 2), grainSeconds)
        {
            Sinks = sinks,
            Delays = new TransactionDelays(
                (long)Sum("sentinel_source_receive_delay_seconds_count"), (long)Bucket("sentinel_source_receive_delay_seconds_bucket{", "0.1"),
                (long)Sum("sentinel_sink_commit_delay_seconds_count"), (long)Bucket("sentinel_sink_commit_delay_seconds_bucket{", "0.1")),
            Runtime = new RuntimeCounters(
                (long)Sum("dotnet_gc_collections_total{gc_heap_generation=\"gen0\""), (long)Sum("dotnet_gc_collections_total{gc_heap_generation=\"gen1\""),
                (long)Sum("dotnet_gc_collections_total{gc_heap_generation=\"gen2\""), Sum("dotnet_gc_pause_time_seconds_total"),
                (long)Sum("dotnet_thread_pool_work_item_count_total"), (long)Sum("dotnet_monitor_lock_contentions_total")),
        };
    }

    /// <summary>Per sink name (all pipelines and tables): destination transactions, changes, apply time.</summary>
    public Dictionary<string, SinkStage> Sinks { get; init; } = [];

    /// <summary>Source transactions measured by the silo's delay histograms, and how many of them within 100 ms.</summary>
    public TransactionDelays Delays { get; init; } = new(0, 0, 0, 0);

    /// <summary>The silo's GC, thread-pool and lock counters (cumulative; <see cref="Since"/> makes them a phase's).</summary>
    public RuntimeCounters Runtime { get; init; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>What happened between <paramref name="before"/> and this reading (the counters are cumulative).</summary>
    public StageMetrics Since(StageMetrics before)
    {
        var batches = Batches - before.Batches;
        var applied = ChangesApplied - before.ChangesApplied;
        var applySeconds = Math.Round(ApplySeconds - before.ApplySeconds, 2);
        return new StageMetrics(
            ChangesReceived - before.ChangesReceived, applied, batches, batches == 0 ? 0 : Math.Round((double)applied / batches, 1), applySeconds,
            batches == 0 ? 0 : Math.Round(1000 * applySeconds / batches, 2),
            GrainCallSeconds.ToDictionary(g => g.Key, g => Math.Round(g.Value - before.GrainCallSeconds.GetValueOrDefault(g.Key), 2)))
        {
            Runtime = Runtime.Since(before.Runtime),
            Delays = Delays.Since(before.Delays),
            Sinks = Sinks.ToDictionary(s => s.Key, s => before.Sinks.TryGetValue(s.Key, out var b) ? new SinkStage(s.Value.Batches - b.Batches, s.Value.Changes - b.Changes, s.Value.ApplySeconds - b.ApplySeconds) : s.Value),
        };
    }
}

/// <summary>One sink's destination transactions (batches), the changes they applied and the seconds spent applying them.</summary>
internal sealed record SinkStage(long Batches, long Changes, double ApplySeconds)
{
    public double MeanBatchSize => Batches == 0 ? 0 : Math.Round((double)Changes / Batches, 1);

    public double MeanApplyMs => Batches == 0 ? 0 : Math.Round(1000 * ApplySeconds / Batches, 1);
}

/// <summary>
/// Source transactions the silo measured (<c>sentinel_source_receive_delay_seconds</c>: commit at the source until
/// read; <c>sentinel_sink_commit_delay_seconds</c>: until a sink's destination committed it, once per table and sink) and
/// how many within 100 ms: where a live phase's latency goes, before SentinelSync or inside it.
/// </summary>
internal sealed record TransactionDelays(long Read, long ReadWithin100Ms, long Committed, long CommittedWithin100Ms)
{
    public TransactionDelays Since(TransactionDelays before) =>
        new(Read - before.Read, ReadWithin100Ms - before.ReadWithin100Ms, Committed - before.Committed, CommittedWithin100Ms - before.CommittedWithin100Ms);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Read - ReadWithin100Ms:N0} of {Read:N0} source transactions read more than 100 ms after their commit, {Committed - CommittedWithin100Ms:N0} of {Committed:N0} (transaction, table) parts committed at the destination more than 100 ms after it");
}

/// <summary>
/// The .NET runtime's counters as the silo's /metrics exports them (the <c>System.Runtime</c> meter): collections per
/// generation, seconds the GC paused the process, thread-pool work items run (every hand-off of work between threads,
/// e.g. an awaited socket read or grain call resuming) and contended lock acquisitions.
/// </summary>
internal sealed record RuntimeCounters(long Gen0, long Gen1, long Gen2, double GcPauseSeconds, long WorkItems, long LockContentions)
{
    public RuntimeCounters Since(RuntimeCounters before) =>
        new(Gen0 - before.Gen0, Gen1 - before.Gen1, Gen2 - before.Gen2, Math.Round(GcPauseSeconds - before.GcPauseSeconds, 3), WorkItems - before.WorkItems, LockContentions - before.LockContentions);

    public string Describe(long changes) => string.Create(
        CultureInfo.InvariantCulture,
        $"GC collections gen0/gen1/gen2 {Gen0:N0}/{Gen1:N0}/{Gen2:N0}, paused {GcPauseSeconds:N3} s; {WorkItems:N0} thread-pool work items ({(changes == 0 ? 0 : (double)WorkItems / changes):N2} a change); {LockContentions:N0} contended locks");
}
