namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>One statement of a BATCH: a query string or a prepared id, with its positional values.</summary>
public sealed record BatchStatement(string? Query, byte[]? PreparedId, IReadOnlyList<CqlValue> Values)
{
    public static BatchStatement OfQuery(string query, params CqlValue[] values) => new(query, null, values);

    public static BatchStatement OfPrepared(byte[] preparedId, params CqlValue[] values) => new(null, preparedId, values);
}
