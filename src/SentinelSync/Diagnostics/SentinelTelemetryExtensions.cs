using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SentinelSync.Configuration;
using SentinelSync.Diagnostics;

// In the root namespace, so code anywhere under SentinelSync (the silo host among it) finds these without a using.
namespace SentinelSync;

/// <summary>The silo's telemetry, wired once: Prometheus metrics at <c>/metrics</c> and, when an OTLP endpoint is configured, traces.</summary>
public static class SentinelTelemetryExtensions
{
    /// <summary>
    /// Registers OpenTelemetry (its providers start with the host: register before the silo's hosted service so the
    /// meter provider sees the silo's first measurements). Traces are exported only when
    /// <c>telemetry.otlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names an endpoint; a malformed one throws
    /// here, naming the setting.
    /// </summary>
    public static IServiceCollection AddSentinelTelemetry(this IServiceCollection services, SentinelConfig? config = null)
    {
        var endpoint = OtlpTracing.ResolveEndpoint(config, Environment.GetEnvironmentVariable);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("sentinel", serviceInstanceId: config?.Silo.Name))
            .WithMetrics(metrics => metrics.AddSentinelInstruments());
        if (endpoint is not null)
        {
            telemetry.WithTracing(tracing => tracing.AddSentinelOtlpExport(endpoint));
        }

        services.AddHostedService(sp => new TracingStartLog(endpoint, sp.GetRequiredService<ILogger<TracingStartLog>>()));
        return services;
    }

    /// <summary>Maps <c>GET /metrics</c> (Prometheus text format 0.0.4, or OpenMetrics when the scraper asks for it).</summary>
    public static IEndpointConventionBuilder MapSentinelMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint();
}
