using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using SentinelSync.Configuration;
using SentinelSync.Replication;

namespace SentinelSync.Diagnostics;

/// <summary>Owns the tracer provider for the host's lifetime: built on start when an endpoint is set, flushed and disposed on stop.</summary>
internal sealed partial class OtlpTracingService(IServiceProvider services, ILogger<OtlpTracingService> logger) : IHostedService, IDisposable
{
    private TracerProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var config = services.GetService<SentinelConfig>();
        var endpoint = OtlpTracing.ResolveEndpoint(config, Environment.GetEnvironmentVariable);
        if (endpoint is null)
        {
            TracingOff(logger, OtlpTracing.EndpointVariable);
            return Task.CompletedTask;
        }

        _provider = OtlpTracing.Create(endpoint, config?.Silo.Name);
        TracingOn(logger, SentinelTracing.SourceName, endpoint);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // Disposing shuts the provider down, which exports what is still buffered.
        Interlocked.Exchange(ref _provider, null)?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting traces of {Source} over OTLP to {Endpoint}")]
    private static partial void TracingOn(ILogger logger, string source, Uri endpoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No OTLP endpoint (telemetry.otlpEndpoint, {Variable}): traces are not exported")]
    private static partial void TracingOff(ILogger logger, string variable);
}
