using Microsoft.Extensions.Hosting;
using SentinelSync.Replication.Kafka;

namespace SentinelSync.Hosting;

/// <summary>
/// Loads librdkafka when the silo starts and logs which version from which file, so that a Kafka problem can be
/// matched to the client library at a glance. A silo without Kafka pipelines keeps running if it cannot load.
/// </summary>
internal sealed partial class KafkaStartLog(ILogger<KafkaStartLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var path = KafkaNativeLibrary.EnsureLoaded();
            Loaded(logger, KafkaNativeLibrary.Version, path);
        }
        catch (InvalidOperationException e)
        {
            NotLoaded(logger, e.Message);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
