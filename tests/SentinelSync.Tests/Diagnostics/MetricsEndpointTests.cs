using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using SentinelSync.Configuration;
using SentinelSync.Diagnostics;
using SentinelSync.Hosting;
using SentinelSync.Testing.Metrics;

namespace SentinelSync.Tests.Diagnostics;

/// <summary><c>/metrics</c> through the OpenTelemetry Prometheus exporter: format, which meters, naming, buckets.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task GET_metrics_serves_text_format_0_0_4_and_a_counter_moves_between_scrapes()
    {
        await using var app = await MetricsApp.StartAsync();
        using var meter = new Meter($"SentinelSync.Tests.Endpoint.{Guid.NewGuid():N}");
        var hits = meter.CreateCounter<long>("test.endpoint.hits", "{hit}", "Hits of the endpoint test");

        hits.Add(3, new KeyValuePair<string, object?>("route", "a"));
        var first = await app.ScrapeAsync();
        hits.Add(2, new KeyValuePair<string, object?>("route", "a"));
        hits.Add(1, new KeyValuePair<string, object?>("route", "b"));
        var second = await app.ScrapeAsync();

        app.Last.ContentType.ShouldBe("text/plain; version=0.0.4; charset=utf-8");
        first.Family("test_endpoint_hits_total").Type.ShouldBe("counter");
        first.Family("test_endpoint_hits_total").Help.ShouldBe("Hits of the endpoint test");
        first.Value("test_endpoint_hits_total", ("route", "a")).ShouldBe(3);
        second.Value("test_endpoint_hits_total", ("route", "a")).ShouldBe(5, "no cached answer: each scrape reads the instruments");
        second.Value("test_endpoint_hits_total", ("route", "b")).ShouldBe(1);
        second.Samples("target_info").Single().Labels["service_name"].ShouldBe("sentinel", "the resource, as one target_info series");
        second.Samples("test_endpoint_hits_total").ShouldAllBe(s => s.Labels.Count == 1, "no scope labels (otel_scope_name, ...) beside the instrument's tags");
    }

    [Fact]
    public async Task SentinelSync_meters_and_Orleans_meter_are_exported_and_other_meters_are_not()
    {
        await using var app = await MetricsApp.StartAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        using var sentinel = new Meter($"SentinelSync.Tests.{id}");
        using var orleans = new Meter(SentinelMetrics.OrleansMeter);
        using var other = new Meter($"Other.Tests.{id}");
        sentinel.CreateCounter<long>($"test.{id}.sentinel").Add(1);
        orleans.CreateCounter<long>($"orleans-test-{id}-requests").Add(2);
        other.CreateCounter<long>($"test.{id}.other").Add(4);

        var parsed = await app.ScrapeAsync();

        parsed.Value($"test_{id}_sentinel_total").ShouldBe(1);
        parsed.Value($"orleans_test_{id}_requests_total").ShouldBe(2);
        parsed.Families.Keys.ShouldNotContain($"test_{id}_other_total");
    }

    [Fact]
    public async Task ASP_NET_Core_HttpClient_and_runtime_instrumentation_are_exported()
    {
        await using var app = await MetricsApp.StartAsync();
        var parsed = await app.ScrapeUntilAsync(
            "a scrape counted by ASP.NET Core's instrumentation",
            m => m.Samples("http_server_request_duration_seconds_count").Any(s => s.Labels.GetValueOrDefault("http_route") == "/metrics" && s.Value >= 1));

        parsed.Family("http_server_request_duration_seconds").Type.ShouldBe("histogram");
        parsed.Family("http_client_request_duration_seconds").Type.ShouldBe("histogram");
        parsed.Samples("http_client_request_duration_seconds_count").Sum(s => s.Value).ShouldBeGreaterThanOrEqualTo(1, "the test's own HttpClient request");
        parsed.Families.Keys.ShouldContain(n => n.StartsWith("dotnet_gc_", StringComparison.Ordinal), "runtime instrumentation (System.Runtime meter)");
        parsed.Families.Keys.ShouldContain("dotnet_process_memory_working_set_bytes");
    }

    [Fact]
    public async Task A_SentinelSync_histogram_in_seconds_keeps_the_former_buckets_unless_it_advises_its_own()
    {
        await using var app = await MetricsApp.StartAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        using var meter = new Meter($"SentinelSync.Tests.{id}");
        var plain = meter.CreateHistogram<double>($"test.{id}.wait", "s");
        var advised = meter.CreateHistogram<double>($"test.{id}.advised", "s", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 60] });
        plain.Record(0.005);
        plain.Record(0.02);
        plain.Record(42);
        advised.Record(30);

        var parsed = await app.ScrapeAsync();

        var name = $"test_{id}_wait_seconds";
        parsed.Family(name).Type.ShouldBe("histogram");
        parsed.Samples(name + "_bucket").Select(s => s.Labels["le"])
            .ShouldBe(["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]);
        parsed.Value(name + "_bucket", ("le", "0.005")).ShouldBe(1, "a value equal to a bound counts in that bound's bucket");
        parsed.Value(name + "_bucket", ("le", "0.025")).ShouldBe(2);
        parsed.Value(name + "_bucket", ("le", "10")).ShouldBe(2);
        parsed.Value(name + "_bucket", ("le", "+Inf")).ShouldBe(3);
        parsed.Value(name + "_sum").ShouldBe(42.025, 1e-9);
        parsed.Samples($"test_{id}_advised_seconds_bucket").Select(s => s.Labels["le"]).ShouldBe(["1", "60", "+Inf"]);
    }

    [Fact]
    public void The_seconds_buckets_apply_only_to_SentinelSync_histograms_in_seconds()
    {
        using var sentinel = new Meter("SentinelSync.Tests.Buckets");
        using var other = new Meter("Other.Tests.Buckets");

        SentinelMetrics.SecondsHistogramBuckets(sentinel.CreateHistogram<double>("a", "s")).ShouldBeOfType<ExplicitBucketHistogramConfiguration>()
            .Boundaries.ShouldBe([.. SentinelMetrics.SecondsBoundaries]);
        SentinelMetrics.SecondsHistogramBuckets(sentinel.CreateHistogram<double>("b", "ms")).ShouldBeNull();
        SentinelMetrics.SecondsHistogramBuckets(sentinel.CreateCounter<double>("c", "s")).ShouldBeNull();
        SentinelMetrics.SecondsHistogramBuckets(other.CreateHistogram<double>("d", "s")).ShouldBeNull();
    }

    [Fact]
    public async Task A_secret_of_the_silo_in_a_label_is_masked_even_when_the_scraper_accepts_gzip()
    {
        const string secret = "db-Secret-71c9";
        await using var app = await MetricsApp.StartAsync(new Redactor([secret]));
        using var meter = new Meter($"SentinelSync.Tests.Redaction.{Guid.NewGuid():N}");
        // As Npgsql names its pools: the connection string without Password, here with a secret elsewhere in it.
        meter.CreateCounter<long>("test.redaction.connections").Add(1, new KeyValuePair<string, object?>("pool", $"Host=db;Database={secret}"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await app.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        response.Content.Headers.ContentEncoding.ShouldBeEmpty();
        body.ShouldNotContain(secret);
        ExpositionParser.Parse(body).Value("test_redaction_connections_total", ("pool", $"Host=db;Database={ConnectionStrings.Mask}")).ShouldBe(1);
    }

    [Fact]
    public async Task The_silo_host_maps_metrics_and_registers_the_meter_provider()
    {
        var config = new SentinelConfig { ControlDb = "Host=127.0.0.1;Username=postgres", Silo = { Name = "metrics-test", HttpPort = 1 } };
        await using var app = SiloHost.Build(config);

        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText);

        routes.ShouldContain("/metrics");
        app.Services.GetRequiredService<MeterProvider>().ShouldNotBeNull();
    }
}
