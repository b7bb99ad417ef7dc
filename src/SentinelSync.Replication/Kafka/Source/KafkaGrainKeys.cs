using System.Globalization;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Keys of a Kafka source's grains: a partition grain is <c>pipeline/topic/partition</c> (topic names cannot
/// contain '/'), a Kafka table grain <c>pipeline/schema.table</c> like a table grain. A partition's stream
/// (<see cref="ChangeBatch.Stream"/>) is <c>kafka:topic/partition</c>.
/// </summary>
public static class KafkaGrainKeys
{
    public static string Partition(string pipeline, string topic, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{pipeline}/{topic}/{partition}");

    public static (string Pipeline, string Topic, int Partition) ParsePartition(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
        {
            throw new ArgumentException($"'{key}' is not a Kafka partition grain key (pipeline/topic/partition).", nameof(key));
        }

        return (parts[0], parts[1], partition);
    }

    public static string Stream(string topic, int partition) => string.Create(CultureInfo.InvariantCulture, $"kafka:{topic}/{partition}");
}
