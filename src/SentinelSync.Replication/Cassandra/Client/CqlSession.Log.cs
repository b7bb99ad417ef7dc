using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Cassandra.Client;

public sealed partial class CqlSession
{
    [LoggerMessage(Level = LogLevel.Information, Message = "cassandra: control connection to {Endpoint}, protocol v{ProtocolVersion}, compression {Compression}")]
    private partial void LogControlConnection(string endpoint, byte protocolVersion, string compression);

    [LoggerMessage(Level = LogLevel.Information, Message = "cassandra: {Hosts} nodes, {LocalHosts} in the local datacenter {Datacenter}")]
    private partial void LogTopology(int hosts, int localHosts, string datacenter);

    [LoggerMessage(Level = LogLevel.Information, Message = "cassandra: event {EventType} {Change} {Node}")]
    private partial void LogEvent(string eventType, string change, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cassandra: {Endpoint} unreachable, next attempt at {NextAttempt}: {Reason}")]
    private partial void LogHostUnreachable(string endpoint, DateTimeOffset nextAttempt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "cassandra: {Endpoint} did not know prepared statement {PreparedId}; preparing it there again")]
    private partial void LogReprepare(string endpoint, string preparedId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cassandra: topology refresh failed; keeping the last known nodes")]
    private partial void LogRefreshFailed(Exception exception);
}
