namespace SentinelSync.Replication.Kafka.Source;

/// <summary>How a connector writes a row's columns.</summary>
internal enum CellStyle
{
    /// <summary>Plain values (Debezium's relational connectors: Postgres, MySQL, ...).</summary>
    Plain,

    /// <summary>
    /// Debezium's Cassandra connector: every column a struct <c>{"value": v, "deletion_ts": t, "set": b}</c>;
    /// <c>set: false</c> means the mutation did not write the column.
    /// </summary>
    Cassandra,

    /// <summary>
    /// The Scylla CDC source connector: key columns plain, every other column <c>{"value": v}</c> when the operation
    /// wrote it (<c>{"value": null}</c> writes NULL) and <c>null</c> when it did not.
    /// </summary>
    Scylla,
}
