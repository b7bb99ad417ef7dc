using SentinelSync.Replication.Diagnostics;
using SentinelSync.Testing.Metrics;

namespace SentinelSync.Tests.Diagnostics;

/// <summary>The reconcile instruments as a scraper sees them: the names the issue promised, their types and labels.</summary>
public sealed class ReconcileMetricsTests
{
    [Fact]
    public async Task Drift_last_success_and_duration_are_exported_under_their_promised_names()
    {
        await using var app = await MetricsApp.StartAsync();
        var pipeline = "p-" + Guid.NewGuid().ToString("N")[..8];
        var finished = new DateTimeOffset(2026, 11, 30, 2, 0, 5, TimeSpan.Zero);

        ReconcileInstruments.Drift(pipeline, "warehouse", "public.orders", 3);
        ReconcileInstruments.Finished(pipeline, "checksum", "drift", 12.5, finished.AddDays(-1));
        var drifted = await app.ScrapeAsync();
        ReconcileInstruments.Drift(pipeline, "warehouse", "public.orders", 0);
        ReconcileInstruments.Finished(pipeline, "checksum", "repaired", 20, finished);
        var repaired = await app.ScrapeAsync();

        drifted.Family("sentinel_reconcile_drift_rows").Type.ShouldBe("gauge");
        drifted.Value("sentinel_reconcile_drift_rows", ("pipeline", pipeline), ("sink", "warehouse"), ("table", "public.orders")).ShouldBe(3);
        repaired.Value("sentinel_reconcile_drift_rows", ("pipeline", pipeline), ("sink", "warehouse"), ("table", "public.orders")).ShouldBe(0);

        // A run that left drift is not a success; a repaired one is.
        drifted.Find("sentinel_reconcile_last_success_timestamp_seconds", ("pipeline", pipeline)).ShouldBeNull();
        repaired.Family("sentinel_reconcile_last_success_timestamp_seconds").Type.ShouldBe("gauge");
        repaired.Value("sentinel_reconcile_last_success_timestamp_seconds", ("pipeline", pipeline)).ShouldBe(finished.ToUnixTimeSeconds());

        repaired.Family("sentinel_reconcile_duration_seconds").Type.ShouldBe("histogram");
        repaired.Value("sentinel_reconcile_duration_seconds_count", ("pipeline", pipeline), ("mode", "checksum"), ("status", "repaired")).ShouldBe(1);
        repaired.Value("sentinel_reconcile_duration_seconds_sum", ("pipeline", pipeline), ("mode", "checksum"), ("status", "repaired")).ShouldBe(20);
    }
}
