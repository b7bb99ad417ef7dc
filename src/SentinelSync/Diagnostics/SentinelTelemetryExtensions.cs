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

    /// <summary>
    /// Maps <c>GET /metrics</c>, always in the Prometheus text format 0.0.4. The exporter would answer Prometheus'
    /// own <c>Accept</c> (OpenMetrics first) in OpenMetrics, where bucket bounds read <c>le="1.0"</c> instead of
    /// <c>le="1"</c> and every counter and histogram gains a <c>_created</c> series: Prometheus 2 stores both as
    /// they come, so queries and alerts written against the former exporter's text would stop matching.
    /// </summary>
    public static IEndpointConventionBuilder MapSentinelMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(
            path: "/metrics",
            meterProvider: null,
            configureBranchedPipeline: metrics => metrics.Use((context, next) =>
            {
                context.Request.Headers.Accept = default;
                return next(context);
            }),
            optionsName: null);
}
