namespace SentinelSync.Replication.Cassandra;

/// <summary>How a Postgres text value becomes a CQL value.</summary>
public enum CassandraConversion
{
    Text,
    Smallint,
    Int,
    Bigint,
    Float,
    Double,
    Decimal,
    Boolean,
    Blob,
    Uuid,
    Date,
    Time,
    Timestamp,
    List,
}
