namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// What a partition grain keeps durably, besides the offsets its sinks store: the tables it has pushed changes of
/// (each with the first offset it saw of it), written before the first push of a table, so that a restart asks
/// every sink of every such table where it stands; and where reading began when no table was known yet
/// (<c>startFrom: latest</c> is resolved once, so a restart does not skip what arrived meanwhile).
/// </summary>
/// <remarks>Serializable for the same reason as <see cref="Grains.SourceState"/>: Orleans hands it over when the grain migrates.</remarks>
[GenerateSerializer]
public sealed class KafkaPartitionState
{
    [Id(0)]
    public Dictionary<string, long> Tables { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public long? StartOffset { get; set; }
}
