namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>A decoded response message. Warnings the server attached (frame flag 0x08) travel with it.</summary>
public abstract record CqlResponse
{
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The tracing session id when the server traced the request (frame flag 0x02).</summary>
    public Guid? TracingId { get; init; }
}
