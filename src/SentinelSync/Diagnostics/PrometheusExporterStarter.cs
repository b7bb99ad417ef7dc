using Microsoft.Extensions.Hosting;

namespace SentinelSync.Diagnostics;

/// <summary>
/// Creates the exporter when the host starts rather than at the first scrape: up-down counters (live
/// activations) are only right if every increment since the silo started was seen.
/// </summary>
internal sealed class PrometheusExporterStarter(PrometheusExporter exporter) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(exporter);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
