using System.Net;

namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>
/// EVENT (stream id -1): TOPOLOGY_CHANGE (NEW_NODE, REMOVED_NODE, MOVED_NODE) and STATUS_CHANGE (UP, DOWN) name a node's
/// native-protocol address; SCHEMA_CHANGE carries the change.
/// </summary>
public sealed record EventResponse(string EventType, string? Change, IPEndPoint? Node, SchemaChange? SchemaChange) : CqlResponse
{
    public static EventResponse Read(CqlReader reader)
    {
        var type = reader.ReadString();
        return type switch
        {
            "TOPOLOGY_CHANGE" or "STATUS_CHANGE" => new EventResponse(type, reader.ReadString(), reader.ReadInet(), null),
            "SCHEMA_CHANGE" => new EventResponse(type, null, null, Responses.SchemaChange.Read(reader)),
            _ => throw new CqlProtocolException($"EVENT of unknown type '{type}'"),
        };
    }
}
