using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// The part of a Kafka pipeline's source grain that finds its partitions: every <see cref="RefreshInterval"/>
/// it reads the cluster's metadata, asks the grain of every partition of a matching topic to be running (which
/// also starts partitions and topics that appeared since), and stops (drains) the grains of partitions that are
/// gone. Where each partition grain runs is Orleans' placement, not this silo's.
/// </summary>
internal sealed partial class KafkaSourceCoordinator(string pipeline, KafkaSourceOptions options, IGrainFactory grains, ILogger logger)
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), bool> _known = new();

    public static TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    public string Phase { get; private set; } = "starting";

    public IReadOnlyList<string> Partitions => [.. _known.Keys.OrderBy(k => k.Topic, StringComparer.Ordinal).ThenBy(k => k.Partition).Select(k => $"{k.Topic}/{k.Partition}")];

    public async Task RunAsync(CancellationToken stop)
    {
        KafkaNativeLibrary.EnsureLoaded();
        var config = new AdminClientConfig { BootstrapServers = options.BootstrapServers };
        options.Security.ApplyTo(config);
        using var admin = new AdminClientBuilder(config).Build();
        while (!stop.IsCancellationRequested)
        {
            var metadata = await Task.Run(() => admin.GetMetadata(TimeSpan.FromSeconds(10)), stop);
            var current = metadata.Topics
                .Where(t => !t.Error.IsError && !t.Topic.StartsWith("__", StringComparison.Ordinal) && options.Matches(t.Topic))
                .SelectMany(t => t.Partitions.Select(p => (t.Topic, p.PartitionId)))
                .ToHashSet();
            foreach (var (topic, partition) in current)
            {
                if (_known.TryAdd((topic, partition), true))
                {
                    LogPartitionFound(logger, pipeline, topic, partition);
                }

                await Grain(topic, partition).EnsureRunningAsync();
            }

            foreach (var gone in _known.Keys.Where(k => !current.Contains(k)).ToList())
            {
                LogPartitionGone(logger, pipeline, gone.Topic, gone.Partition);
                await Grain(gone.Topic, gone.Partition).StopAsync();
                _known.TryRemove(gone, out _);
            }

            Phase = "streaming";
            await Task.Delay(RefreshInterval, stop);
        }
    }

    /// <summary>Stops every partition grain (each drains what it pushed): for a pause.</summary>
    public async Task StopPartitionsAsync()
    {
        await Task.WhenAll(_known.Keys.Select(k => Grain(k.Topic, k.Partition).StopAsync()));
        Phase = "stopped";
    }

    /// <summary>Every known partition's status, by topic and partition. Asking a partition grain activates it: call only while streaming.</summary>
    public async Task<KafkaPartitionStatus[]> StatusesAsync() =>
        await Task.WhenAll(_known.Keys.OrderBy(k => k.Topic, StringComparer.Ordinal).ThenBy(k => k.Partition).Select(k => Grain(k.Topic, k.Partition).GetStatusAsync()));

    private IKafkaPartitionGrain Grain(string topic, int partition) =>
        grains.GetGrain<IKafkaPartitionGrain>(KafkaGrainKeys.Partition(pipeline, topic, partition));

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: Kafka partition {Topic}/{Partition} found; its grain reads it")]
    private static partial void LogPartitionFound(ILogger logger, string pipeline, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: Kafka partition {Topic}/{Partition} is gone from the cluster (or the topic no longer matches); its grain drains and stops")]
    private static partial void LogPartitionGone(ILogger logger, string pipeline, string topic, int partition);
}
