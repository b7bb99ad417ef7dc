namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>SUPPORTED: a string multimap (CQL_VERSION, COMPRESSION, PROTOCOL_VERSIONS, ...).</summary>
public sealed record SupportedResponse(IReadOnlyDictionary<string, IReadOnlyList<string>> Options) : CqlResponse;
