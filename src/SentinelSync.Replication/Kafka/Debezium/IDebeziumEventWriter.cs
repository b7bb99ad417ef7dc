namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>Serializes a row change as the Debezium events the Kafka sink sends (JSON or Avro); thread-safe.</summary>
public interface IDebeziumEventWriter
{
    /// <summary>
    /// The change's messages in order (see <see cref="DebeziumEventPlan"/>). Throws <see cref="KafkaValueException"/> for a
    /// value the format cannot carry; an Avro writer also fails with the registry's errors (transient).
    /// </summary>
    Task<IReadOnlyList<DebeziumEvent>> EventsAsync(RowChange change, CancellationToken cancellationToken);
}
