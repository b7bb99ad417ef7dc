using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using SentinelSync.Configuration;
using SentinelSync.Replication;

namespace SentinelSync.Diagnostics;

/// <summary>
/// The tracing switch: an OTLP endpoint from <c>telemetry.otlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// turns on export of <see cref="SentinelTracing.Source"/>; without one no tracer provider exists and spans are
/// never even created.
/// </summary>
internal static class OtlpTracing
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The configured endpoint, the configuration key winning over the environment; null when neither is set.</summary>
    public static Uri? ResolveEndpoint(SentinelConfig? config, Func<string, string?> environment)
    {
        var (source, value) = !string.IsNullOrWhiteSpace(config?.Telemetry.OtlpEndpoint)
            ? ("telemetry.otlpEndpoint", config.Telemetry.OtlpEndpoint)
            : (EndpointVariable, environment(EndpointVariable));
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"
            ? endpoint
            : throw new InvalidOperationException($"{source} '{value}' is not an absolute http:// or https:// URL (e.g. http://otel-collector:4317).");
    }

    /// <summary>
    /// Exports <see cref="SentinelTracing.SourceName"/> over OTLP. The protocol is gRPC unless
    /// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>; over HTTP a base endpoint gets <c>/v1/traces</c> appended,
    /// as the OpenTelemetry specification does for the environment variable (an endpoint set in code is taken
    /// as it is by the exporter, so the path is ours to add).
    /// </summary>
    public static TracerProviderBuilder AddSentinelOtlpExport(this TracerProviderBuilder tracing, Uri endpoint) =>
        tracing
            .AddSource(SentinelTracing.SourceName)
            .AddOtlpExporter(options =>
            {
                options.Endpoint = options.Protocol == OtlpExportProtocol.HttpProtobuf && !endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
                    ? new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/v1/traces")
                    : endpoint;
            });
}
