using Microsoft.Extensions.DependencyInjection.Extensions;

using SentinelSync.Diagnostics;

// In the root namespace, so code anywhere under SentinelSync (the silo host among it) finds these without a using.
namespace SentinelSync;

/// <summary>The silo's telemetry: Prometheus metrics at <c>/metrics</c> and, when an OTLP endpoint is configured, traces.</summary>
public static class SentinelTelemetryExtensions
{
    /// <summary>
    /// Registers the <see cref="PrometheusExporter"/> (created when the host starts; register before the silo's
    /// hosted service so it sees the silo's first measurements) and the OTLP tracing switch.
    /// </summary>
    public static IServiceCollection AddSentinelMetrics(this IServiceCollection services, Action<PrometheusExporterOptions>? configure = null)
    {
        services.TryAddSingleton(sp =>
        {
            var options = new PrometheusExporterOptions();
            configure?.Invoke(options);
            return new PrometheusExporter(options, sp.GetService<ILogger<PrometheusExporter>>());
        });
        services.AddHostedService<PrometheusExporterStarter>();
        // Tracing rides along so the silo host needs one line for all telemetry.
        services.AddHostedService<OtlpTracingService>();
        return services;
    }

    /// <summary>Maps <c>GET /metrics</c> (or <paramref name="pattern"/>) to the exporter's text format 0.0.4.</summary>
    public static IEndpointConventionBuilder MapSentinelMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics") =>
        endpoints.MapGet(pattern, (PrometheusExporter exporter) => Results.Text(exporter.Scrape(), PrometheusExporter.ContentType));
}
