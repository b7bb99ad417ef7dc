using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SentinelSync.Configuration;
using SentinelSync.Diagnostics;
using SentinelSync.Hosting;

namespace SentinelSync.Tests.Diagnostics;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task GET_metrics_on_a_running_web_application_returns_the_exposition()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSentinelMetrics();
        await using var app = builder.Build();
        app.MapSentinelMetrics();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var meter = new Meter($"SentinelSync.Tests.Endpoint.{Guid.NewGuid():N}");
        meter.CreateCounter<long>("test.endpoint.hits", "{hit}", "Hits").Add(3);

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var response = await http.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/plain; version=0.0.4; charset=utf-8");
        ExpositionParser.Parse(body).Value("test_endpoint_hits_total").ShouldBe(3);
        await app.StopAsync();
    }

    [Fact]
    public async Task The_silo_host_maps_metrics_and_creates_the_exporter()
    {
        var config = new SentinelConfig { ControlDb = "Host=127.0.0.1;Username=postgres", Silo = { Name = "metrics-test", HttpPort = 1 } };
        await using var app = SiloHost.Build(config);

        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText);

        routes.ShouldContain("/metrics");
        app.Services.GetRequiredService<PrometheusExporter>().ShouldNotBeNull();
    }
}
