using System.Globalization;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// Per-stage figures from a silo's /metrics at the end of a run: changes received from the source and applied by
/// the sink, destination transactions (batches) with their mean size and mean apply time, and the time spent in
/// grain calls (Orleans' <c>orleans_app_requests_latency_milliseconds</c>, which has no grain-type label: one entry, <c>all</c>).
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
        var batches = (long)Sum("sentinel_sink_batch_size_count");
        var applySeconds = Sum("sentinel_sink_apply_duration_seconds_sum");
        var grainSeconds = new Dictionary<string, double> { ["all"] = Math.Round(Sum("orleans_app_requests_latency_milliseconds_sum") / 1000, 2) };
        double SinkSum(string prefix, string sink) => samples.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) && s.Name.Contains($"sink=\"{sink}\"", StringComparison.Ordinal)).Sum(s => s.Value);
        var sinks = samples.Select(s => System.Text.RegularExpressions.Regex.Match(s.Name, "^sentinel_sink_batch_size_count\\{.*sink=\"([^\"]*)\"")).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct()
            .ToDictionary(sink => sink, sink => new SinkStage((long)SinkSum("sentinel_sink_batch_size_count", sink), (long)SinkSum("sentinel_sink_changes_applied_total", sink), SinkSum("sentinel_sink_apply_duration_seconds_sum", sink)));
        return new StageMetrics(
            (long)Sum("sentinel_pipeline_changes_received_total"), (long)Sum("sentinel_sink_changes_applied_total"), batches,
            batches == 0 ? 0 : Math.Round(Sum("sentinel_sink_batch_size_sum") / batches, 1), Math.Round(applySeconds, 2),
            batches == 0 ? 0 : Math.Round(1000 * applySeconds / batches, 2), grainSeconds) { Sinks = sinks };
    }

    /// <summary>Per sink name (all pipelines and tables): destination transactions, changes, apply time.</summary>
    public Dictionary<string, SinkStage> Sinks { get; init; } = [];

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
