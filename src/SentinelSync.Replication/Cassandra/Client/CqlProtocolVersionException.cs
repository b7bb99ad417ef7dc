using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>A node refused the protocol version offered in the handshake (a protocol error, or it hung up).</summary>
public sealed class CqlProtocolVersionException(string endpoint, byte version, string reason, Exception inner)
    : CqlProtocolException($"{endpoint} does not speak protocol v{version}: {reason}", inner)
{
    public byte Version { get; } = version;
}
