using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// The CQL type a Postgres column becomes and how its values convert. A timestamp column also gets a bigint companion
/// <c>name__micros</c> with the exact microseconds since 1970 (CQL timestamp holds milliseconds).
/// </summary>
public sealed record CassandraColumnType(CqlType Type, CassandraConversion Conversion, CassandraConversion? Element = null)
{
    public const string MicrosSuffix = "__micros";

    public bool HasMicrosCompanion => Conversion == CassandraConversion.Timestamp;
}
