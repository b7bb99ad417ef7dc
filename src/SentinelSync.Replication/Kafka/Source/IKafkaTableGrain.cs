using Orleans.Concurrency;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// The schema of one table fed by a Kafka source (key <c>pipeline/schema.table</c>): the one place where the
/// columns messages show, from any partition on any silo, are merged (<see cref="KafkaTableShape"/>), so that every
/// partition writes under the same versions and attribute numbers. Kept durably, so versions keep growing.
/// </summary>
public interface IKafkaTableGrain : IGrainWithStringKey
{
    /// <summary>Merges the observed columns into the table's schema and returns the schema (a new version when it grew).</summary>
    Task<TableSchema> MergeAsync(ObservedColumn[] observed);

    [ReadOnly]
    [Idempotent]
    Task<TableSchema?> GetSchemaAsync();
}
