using Microsoft.Extensions.Hosting;
using SentinelSync.Replication;

namespace SentinelSync.Diagnostics;

/// <summary>
/// Says at start whether traces are exported and where: the tracer provider itself (OpenTelemetry.Extensions.Hosting)
/// is silent, and an operator looking for missing traces needs this one line.
/// </summary>
internal sealed partial class TracingStartLog(Uri? endpoint, ILogger<TracingStartLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (endpoint is null)
        {
            TracingOff(logger, OtlpTracing.EndpointVariable);
        }
        else
        {
            TracingOn(logger, SentinelTracing.SourceName, endpoint);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
