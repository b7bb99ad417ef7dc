namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>CREATE of a keyspace or table that exists (without IF NOT EXISTS); <see cref="Table"/> is empty for a keyspace.</summary>
public sealed class CqlAlreadyExistsException(string message, string keyspace, string table)
    : CqlServerException(CqlErrorCode.AlreadyExists, message)
{
    public string Keyspace { get; } = keyspace;

    public string Table { get; } = table;
}
