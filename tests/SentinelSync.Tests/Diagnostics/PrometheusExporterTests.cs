using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using SentinelSync.Diagnostics;

namespace SentinelSync.Tests.Diagnostics;

public sealed class PrometheusExporterTests
{
    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    /// <summary>A meter of its own per test; instrument names carry the test's name too, since every exporter sees every SentinelSync meter.</summary>
    private static Meter TestMeter([CallerMemberName] string test = "") => new($"SentinelSync.Tests.{test}.{Guid.NewGuid():N}");

    [Fact]
    public void A_counter_grows_as_a_test_meter_records()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var counter = meter.CreateCounter<long>("test.counter_grows.requests", "{request}", "Requests served");

        counter.Add(1, Tag("route", "/a"));
        var first = ExpositionParser.Parse(exporter.Scrape());
        counter.Add(2, Tag("route", "/a"));
        counter.Add(5, Tag("route", "/b"));
        counter.Add(-4, Tag("route", "/b"));
        var second = ExpositionParser.Parse(exporter.Scrape());

        first.Value("test_counter_grows_requests_total", ("route", "/a")).ShouldBe(1);
        second.Family("test_counter_grows_requests_total").Type.ShouldBe("counter");
        second.Family("test_counter_grows_requests_total").Help.ShouldBe("Requests served");
        second.Value("test_counter_grows_requests_total", ("route", "/a")).ShouldBe(3);
        second.Value("test_counter_grows_requests_total", ("route", "/b")).ShouldBe(5, "a negative increment is not applied to a counter");
    }

    [Fact]
    public void An_up_down_counter_exports_its_current_sum_as_a_gauge()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var live = meter.CreateUpDownCounter<int>("test.updown.live", "{item}");

        live.Add(5);
        live.Add(-2);
        var parsed = ExpositionParser.Parse(exporter.Scrape());

        parsed.Family("test_updown_live").Type.ShouldBe("gauge");
        parsed.Value("test_updown_live").ShouldBe(3);
    }

    [Fact]
    public void Histogram_values_at_a_boundary_land_in_that_bucket()
    {
        var options = new PrometheusExporterOptions();
        options.HistogramBoundariesByInstrument["test.boundary.size"] = [1, 2, 5];
        using var exporter = new PrometheusExporter(options);
        using var meter = TestMeter();
        var size = meter.CreateHistogram<double>("test.boundary.size", "By");

        foreach (var value in new[] { 0.5, 1, 2, 5, 7, double.NaN })
        {
            size.Record(value, Tag("table", "public.orders"));
        }

        var parsed = ExpositionParser.Parse(exporter.Scrape());

        parsed.Family("test_boundary_size_bytes").Type.ShouldBe("histogram");
        parsed.Value("test_boundary_size_bytes_bucket", ("le", "1"), ("table", "public.orders")).ShouldBe(2);
        parsed.Value("test_boundary_size_bytes_bucket", ("le", "2"), ("table", "public.orders")).ShouldBe(3);
        parsed.Value("test_boundary_size_bytes_bucket", ("le", "5"), ("table", "public.orders")).ShouldBe(4);
        parsed.Value("test_boundary_size_bytes_bucket", ("le", "+Inf"), ("table", "public.orders")).ShouldBe(6);
        parsed.Value("test_boundary_size_bytes_count", ("table", "public.orders")).ShouldBe(6);
        double.IsNaN(parsed.Value("test_boundary_size_bytes_sum", ("table", "public.orders"))).ShouldBeTrue("NaN was recorded, so the sum is NaN");
    }

    [Fact]
    public void Seconds_histograms_get_the_default_boundaries_and_the_seconds_suffix()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var duration = meter.CreateHistogram<double>("test.default.duration", "s");

        duration.Record(0.0005);
        duration.Record(0.0006);
        duration.Record(10);
        duration.Record(11);
        var parsed = ExpositionParser.Parse(exporter.Scrape());

        parsed.Samples("test_default_duration_seconds_bucket").Select(s => s.Labels["le"])
            .ShouldBe(["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]);
        parsed.Value("test_default_duration_seconds_bucket", ("le", "0.0005")).ShouldBe(1);
        parsed.Value("test_default_duration_seconds_bucket", ("le", "0.001")).ShouldBe(2);
        parsed.Value("test_default_duration_seconds_bucket", ("le", "10")).ShouldBe(3);
        parsed.Value("test_default_duration_seconds_bucket", ("le", "+Inf")).ShouldBe(4);
        parsed.Value("test_default_duration_seconds_sum").ShouldBe(21.0011, 1e-9);
    }

    [Fact]
    public void A_histogram_advice_sets_its_boundaries()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var rows = meter.CreateHistogram("test.advice.rows", "{row}", "Rows per batch", tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [10, 100] });

        rows.Record(100);
        var parsed = ExpositionParser.Parse(exporter.Scrape());

        parsed.Samples("test_advice_rows_bucket").Select(s => (s.Labels["le"], s.Value)).ShouldBe([("10", 0), ("100", 1), ("+Inf", 1)]);
    }

    [Fact]
    public void Label_values_are_escaped_names_sanitized_and_labels_sorted()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var counter = meter.CreateCounter<long>("test.escaping.events");
        const string nasty = "back\\slash \"quoted\"\nnext line";

        counter.Add(1, Tag("zeta", "z"), Tag("grain.type", nasty), Tag("alpha", 1));
        var text = exporter.Scrape();
        var parsed = ExpositionParser.Parse(text);

        text.ShouldContain("test_escaping_events_total{alpha=\"1\",grain_type=\"back\\\\slash \\\"quoted\\\"\\nnext line\",zeta=\"z\"} 1\n");
        parsed.Value("test_escaping_events_total", ("alpha", "1"), ("grain_type", nasty), ("zeta", "z")).ShouldBe(1);
    }

    [Fact]
    public void The_same_labels_in_any_order_or_type_make_one_series()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var counter = meter.CreateCounter<double>("test.dedup.work");

        counter.Add(1, Tag("a", 1), Tag("b", "x"));
        counter.Add(2, Tag("b", "x"), Tag("a", 1));
        counter.Add(4, Tag("a", "1"), Tag("b", "x"));
        counter.Add(8, Tag("a", 1L), Tag("b", "x"), Tag("c", ""));
        counter.Add(16, Tag("a.b", "p"), Tag("a_b", "q"));
        var parsed = ExpositionParser.Parse(exporter.Scrape());

        parsed.Family("test_dedup_work_total").Samples.Count.ShouldBe(2);
        parsed.Value("test_dedup_work_total", ("a", "1"), ("b", "x")).ShouldBe(15);
        parsed.Value("test_dedup_work_total", ("a_b", "p;q")).ShouldBe(16, "keys that sanitize alike are joined, ordered by original key");
    }

    [Fact]
    public void Observable_gauges_are_read_at_scrape_and_vanish_when_not_reported()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var reported = new List<Measurement<double>> { new(42, Tag("slot", "a")), new(1, Tag("slot", "b")) };
        meter.CreateObservableGauge("test.observed.lag", () => reported.ToArray(), "s", "Replication lag");
        meter.CreateObservableCounter("test.observed.bytes", () => 1024L, "By");

        var first = ExpositionParser.Parse(exporter.Scrape());
        reported.RemoveAt(1);
        reported[0] = new(7, Tag("slot", "a"));
        var second = ExpositionParser.Parse(exporter.Scrape());

        first.Value("test_observed_lag_seconds", ("slot", "a")).ShouldBe(42);
        first.Value("test_observed_lag_seconds", ("slot", "b")).ShouldBe(1);
        first.Value("test_observed_bytes_total").ShouldBe(1024, "the name already ends in the unit: no second _bytes");
        first.Family("test_observed_bytes_total").Type.ShouldBe("counter");
        second.Value("test_observed_lag_seconds", ("slot", "a")).ShouldBe(7);
        second.Find("test_observed_lag_seconds", ("slot", "b")).ShouldBeNull();
    }

    [Fact]
    public void NaN_and_infinities_are_written_as_Prometheus_spells_them()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var gauge = meter.CreateGauge<double>("test.special.value");

        gauge.Record(double.NaN, Tag("v", "nan"));
        gauge.Record(double.PositiveInfinity, Tag("v", "pos"));
        gauge.Record(double.NegativeInfinity, Tag("v", "neg"));
        gauge.Record(1e-7, Tag("v", "tiny"));
        var text = exporter.Scrape();
        var parsed = ExpositionParser.Parse(text);

        text.ShouldContain("test_special_value{v=\"nan\"} NaN\n");
        text.ShouldContain("test_special_value{v=\"pos\"} +Inf\n");
        text.ShouldContain("test_special_value{v=\"neg\"} -Inf\n");
        parsed.Value("test_special_value", ("v", "tiny")).ShouldBe(1e-7);
    }

    [Fact]
    public void Instruments_leave_the_output_when_their_meter_is_disposed()
    {
        using var exporter = new PrometheusExporter();
        var meter = TestMeter();
        meter.CreateCounter<int>("test.disposed.calls").Add(1);
        ExpositionParser.Parse(exporter.Scrape()).Families.Keys.ShouldContain("test_disposed_calls_total");

        meter.Dispose();

        ExpositionParser.Parse(exporter.Scrape()).Families.Keys.ShouldNotContain("test_disposed_calls_total");
    }

    [Fact]
    public void A_name_taken_by_another_kind_is_not_exported_twice()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        meter.CreateGauge<int>("test.clash.depth").Record(1);
        meter.CreateUpDownCounter<int>("test.clash.depth").Add(5);
        meter.CreateGauge<int>("test.clash.h.sum").Record(2);
        meter.CreateHistogram<int>("test.clash.h").Record(3);

        var parsed = ExpositionParser.Parse(exporter.Scrape());

        parsed.Value("test_clash_depth").ShouldBe(1);
        parsed.Value("test_clash_h_sum").ShouldBe(2);
        parsed.Families.Keys.ShouldNotContain("test_clash_h");
    }

    [Fact]
    public void Recording_into_an_existing_series_does_not_allocate()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var counter = meter.CreateCounter<long>("test.alloc.calls");
        var histogram = meter.CreateHistogram<double>("test.alloc.duration", "s");
        var grain = Tag("grain_type", "Source");
        var method = Tag("method", "PullAsync");
        for (var i = 0; i < 100; i++)
        {
            counter.Add(1, grain, method);
            histogram.Record(0.003, grain);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            counter.Add(1, grain, method);
            histogram.Record(0.003, grain);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
        ExpositionParser.Parse(exporter.Scrape()).Value("test_alloc_calls_total", ("grain_type", "Source"), ("method", "PullAsync")).ShouldBe(10_100);
    }

    [Fact]
    public async Task Concurrent_recording_loses_nothing()
    {
        using var exporter = new PrometheusExporter();
        using var meter = TestMeter();
        var counter = meter.CreateCounter<long>("test.concurrent.calls");
        var histogram = meter.CreateHistogram<double>("test.concurrent.duration", "s");
        const int perThread = 50_000;

        // Scrapes run all along, so reads of half-updated histograms are validated too.
        var scraping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var scraper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                ExpositionParser.Parse(exporter.Scrape());
                scraping.TrySetResult();
            }
        });
        await scraping.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < perThread; i++)
            {
                counter.Add(1, Tag("worker", t % 2));
                histogram.Record(0.01 * (i % 3), Tag("worker", t % 2));
            }
        })));
        await stop.CancelAsync();
        await scraper;

        var parsed = ExpositionParser.Parse(exporter.Scrape());
        parsed.Value("test_concurrent_calls_total", ("worker", "0")).ShouldBe(2 * perThread);
        parsed.Value("test_concurrent_calls_total", ("worker", "1")).ShouldBe(2 * perThread);
        parsed.Value("test_concurrent_duration_seconds_count", ("worker", "1")).ShouldBe(2 * perThread);
    }

    [Fact]
    public void Invalid_boundaries_are_rejected_at_construction()
    {
        Should.Throw<ArgumentException>(() => new PrometheusExporter(new PrometheusExporterOptions { HistogramBoundaries = [1, 1, 2] }));
        Should.Throw<ArgumentException>(() => new PrometheusExporter(new PrometheusExporterOptions { HistogramBoundaries = [1, double.PositiveInfinity] }));
    }
}
