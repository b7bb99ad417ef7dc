using Microsoft.Extensions.Logging.Abstractions;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Demo;

/// <summary>
/// The demo's Cassandra leg, on when <c>SENTINEL_DEMO_CASSANDRA</c> names a node (<c>host:port</c>): a Cassandra sink
/// writing the shop into keyspace <see cref="Keyspace"/> (dropped first: the demo starts afresh, and the sink's stored
/// offsets and epochs belong to the control database the demo recreates), and a count of the orders that arrived.
/// </summary>
internal sealed class DemoCassandra : IAsyncDisposable
{
    public const string Keyspace = "sentinel_demo";
    private readonly CqlSession _session;

    private DemoCassandra(CqlSession session, SinkConfig sink)
    {
        _session = session;
        Sink = sink;
    }

    public SinkConfig Sink { get; }

    public string ContactPoint => Sink.Cassandra!.ContactPoints[0];

    /// <summary>Connects to <paramref name="contactPoint"/> and drops the demo keyspace; the sink creates it again.</summary>
    public static async Task<DemoCassandra> StartAsync(string contactPoint, string datacenter, CancellationToken cancellationToken)
    {
        var options = new CassandraSinkOptions
        {
            ContactPoints = [contactPoint],
            LocalDatacenter = datacenter,
            Keyspace = Keyspace,
            Replication = $"{{'class': 'NetworkTopologyStrategy', {CqlIdentifier.Literal(datacenter)}: 1}}",
            Consistency = "LOCAL_ONE",
        };
        options.ValidateOrThrow();
        var session = await CqlSession.ConnectAsync(options.ClientOptions(), NullLogger.Instance, cancellationToken: cancellationToken);
        await session.QueryAsync($"DROP KEYSPACE IF EXISTS {CqlIdentifier.Quote(Keyspace)}", cancellationToken: cancellationToken);
        return new DemoCassandra(session, new SinkConfig { Name = "wide", Cassandra = options });
    }

    /// <summary>Rows in the orders table so far, or null before the sink created it.</summary>
    public async Task<long?> CountOrdersAsync(CancellationToken cancellationToken)
    {
        try
        {
            var rows = (RowsResult)await _session.QueryAsync($"SELECT COUNT(*) FROM {CqlIdentifier.Quote(Keyspace)}.orders", new QueryParameters { Consistency = CqlConsistency.LocalOne }, cancellationToken);
            return (long?)rows.Rows[0][0];
        }
        catch (CqlInvalidQueryException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
