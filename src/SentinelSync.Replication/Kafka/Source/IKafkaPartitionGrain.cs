using Orleans.Concurrency;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// One partition of a Kafka source (key <c>pipeline/topic/partition</c>), spread over the silos by rendezvous
/// hashing. It reads its partition with <c>Assign</c> from its own offset (the lowest any sink stored for a table
/// of the partition, plus one), fans each chunk out to the sink grains of its tables and advances once every sink
/// applied it, committing that offset to the consumer group too (for lag tooling; never read back).
/// </summary>
public interface IKafkaPartitionGrain : IMovableGrain
{
    /// <summary>Starts reading if it is not (or again after a failure, with backoff); called periodically by the source grain.</summary>
    [Idempotent]
    Task EnsureRunningAsync();

    [ReadOnly]
    [Idempotent]
    Task<KafkaPartitionStatus> GetStatusAsync();
}
