namespace SentinelSync.Configuration;

/// <summary>The <c>telemetry</c> section: where traces go.</summary>
public sealed class TelemetryConfig
{
    /// <summary>
    /// OTLP endpoint for traces (e.g. <c>http://otel-collector:4317</c>); when unset,
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is used, and when that is unset too nothing is exported.
    /// </summary>
    public string? OtlpEndpoint { get; set; }
}
