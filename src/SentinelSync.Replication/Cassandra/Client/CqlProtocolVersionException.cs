using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>
/// A node refused the handshake at the protocol version offered (a protocol error, or it hung up): the next lower
/// version is tried. At the lowest one it stays an error (transient for the sink: the node or its configuration is at
/// fault, not the data).
/// </summary>
public sealed class CqlProtocolVersionException(string endpoint, byte version, string reason, Exception inner)
    : CqlProtocolException($"{endpoint} refused the protocol v{version} handshake: {reason}", inner)
{
    public byte Version { get; } = version;
}
