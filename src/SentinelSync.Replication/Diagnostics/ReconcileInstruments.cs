using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace SentinelSync.Replication.Diagnostics;

/// <summary>
/// Reconcile instruments (meter <c>SentinelSync.Reconcile</c>): the drift each table's last check found, when a
/// pipeline was last found equal (or repaired), and run durations. A silo exports what it ran itself: scrape every
/// silo (runs go to the pipeline's reconcile grain, wherever it lives).
/// </summary>
public static class ReconcileInstruments
{
    public const string MeterName = "SentinelSync.Reconcile";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>(
        "sentinel.reconcile.duration", "s", "Duration of reconcile runs, by pipeline, mode and outcome",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] });

    private static readonly ConcurrentDictionary<(string Pipeline, string Sink, string Table), long> s_drift = new();
    private static readonly ConcurrentDictionary<string, double> s_lastSuccess = new();

    static ReconcileInstruments()
    {
        s_meter.CreateObservableGauge(
            "sentinel.reconcile.drift_rows",
            () => s_drift.Select(d => new Measurement<long>(d.Value, new("pipeline", d.Key.Pipeline), new("sink", d.Key.Sink), new("table", d.Key.Table))),
            "{row}",
            "Rows that differ between source and sink as the table's last reconcile found them (after its repair, if it repaired)");
        s_meter.CreateObservableGauge(
            "sentinel.reconcile.last_success_timestamp",
            () => s_lastSuccess.Select(s => new Measurement<double>(s.Value, new KeyValuePair<string, object?>("pipeline", s.Key))),
            "s",
            "Unix time at which a reconcile run of the pipeline last ended without drift left (no drift, or all of it repaired)");
    }

    public static void Drift(string pipeline, string sink, string table, long rows) => s_drift[(pipeline, sink, table)] = rows;

    public static void Finished(string pipeline, string mode, string status, double seconds, DateTimeOffset finishedAt)
    {
        s_duration.Record(seconds, new("pipeline", pipeline), new("mode", mode), new("status", status));
        if (status is "ok" or "repaired")
        {
            s_lastSuccess[pipeline] = finishedAt.ToUnixTimeMilliseconds() / 1000.0;
        }
    }
}
