using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SentinelSync.Admin;
using SentinelSync.Configuration;
using SentinelSync.Testing;
using SentinelSync.Testing.Metrics;

namespace SentinelSync.Tests.Diagnostics;

/// <summary>
/// A web application wired like the silo's telemetry (<c>AddSentinelTelemetry</c>, <c>MapSentinelMetrics</c>) on a free
/// loopback port, scraped over real HTTP. Its meter provider starts with it: measurements before <see cref="StartAsync"/> are not seen.
/// </summary>
public sealed class MetricsApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;

    private MetricsApp(WebApplication app, Uri address)
    {
        _app = app;
        _http = new HttpClient { BaseAddress = address };
    }

    public HttpClient Http => _http;

    /// <summary>The content type and body of the last scrape.</summary>
    public (string? ContentType, string Body) Last { get; private set; }

    /// <param name="redactor">When given, the silo's redacting middleware runs in front, as in <c>SiloHost</c>.</param>
    public static async Task<MetricsApp> StartAsync(Redactor? redactor = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSentinelTelemetry();
        var app = builder.Build();
        if (redactor is not null)
        {
            app.UseRedactedApi(redactor);
        }

        app.MapSentinelMetrics();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new MetricsApp(app, new Uri(address));
    }

    /// <summary>GET /metrics, checked against the strict exposition parser.</summary>
    public async Task<ParsedExposition> ScrapeAsync()
    {
        using var response = await _http.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        Last = (response.Content.Headers.ContentType?.ToString(), body);
        try
        {
            return ExpositionParser.Parse(body);
        }
        catch (FormatException e)
        {
            throw new ShouldAssertException($"/metrics is not a valid exposition: {e.Message}\n{body}", e);
        }
    }

    /// <summary>Scrapes until <paramref name="ready"/> holds (a request's own metrics are recorded after its response is sent).</summary>
    public async Task<ParsedExposition> ScrapeUntilAsync(string what, Func<ParsedExposition, bool> ready)
    {
        ParsedExposition? parsed = null;
        await Eventually.WaitAsync(
            async () => ready(parsed = await ScrapeAsync()),
            TimeSpan.FromSeconds(10),
            () => $"/metrics showing {what}; last scrape:\n{Last.Body}");
        return parsed!;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
