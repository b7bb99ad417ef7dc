namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>How a <see cref="CqlSession"/> reaches a cluster.</summary>
public sealed record CqlClientOptions
{
    /// <summary>
    /// The native protocol version to speak: null negotiates (v5 first, v4 when the node answers v5 with a protocol
    /// error, as Cassandra before 4.0 and ScyllaDB do); 4 or 5 pins it.
    /// </summary>
    public byte? ProtocolVersion { get; init; }

    /// <summary>Frame compression to ask for in STARTUP: null for none, or <c>lz4</c> (v4 frame bodies, v5 segments).</summary>
    public string? Compression { get; init; }

    /// <summary>host:port of one or more nodes; the rest of the cluster is found from system.peers.</summary>
    public IReadOnlyList<string> ContactPoints { get; init; } = [];

    /// <summary>Requests go to nodes of this datacenter; others only when none of it is up.</summary>
    public string? LocalDatacenter { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    public CqlTlsOptions Tls { get; init; } = new();

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections per node; more are opened (up to this many) only while the open ones have requests in flight.</summary>
    public int ConnectionsPerHost { get; init; } = 2;

    /// <summary>Concurrent requests on one connection (the protocol allows 32,768 stream ids).</summary>
    public int MaxRequestsPerConnection { get; init; } = 1024;

    /// <summary>First wait before reconnecting to a host that failed; doubles up to <see cref="ReconnectMaxDelay"/>, with ±50% jitter.</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>What STARTUP tells the server about us (shown in nodetool clientstats / system_views.clients).</summary>
    public string DriverName { get; init; } = "SentinelSync";

    public string DriverVersion { get; init; } = typeof(CqlClientOptions).Assembly.GetName().Version?.ToString(3) ?? "0";
}
