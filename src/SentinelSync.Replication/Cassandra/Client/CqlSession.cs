using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>
/// A client of one cluster: a control connection that reads the topology (system.local, system.peers) and receives
/// TOPOLOGY_CHANGE / STATUS_CHANGE events, a connection per node, and per request a plan of nodes: the owner of the
/// partition's token first when the statement has a routing key, then the other nodes of the local datacenter, then
/// (only when none of those is up) the others. A node that cannot be reached is skipped and retried after its backoff.
/// Prepared statements are prepared on the node that runs them when it does not know them (UNPREPARED).
/// </summary>
public sealed partial class CqlSession : IAsyncDisposable
{
    private static readonly TimeSpan _topologyRefreshInterval = TimeSpan.FromSeconds(30);

    private CqlClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PreparedStatement> _prepared = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(string Host, int Port)> _contactPoints;
    private volatile IReadOnlyList<CqlHost> _hosts = [];
    private volatile TokenRing _ring = new([]);
    private CqlConnection? _control;
    private string _controlHost = "";
    private int _controlPort;
    private Task _refreshLoop = Task.CompletedTask;
    private int _roundRobin;

    private CqlSession(CqlClientOptions options, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _contactPoints = [.. options.ContactPoints.Select(ParseContactPoint)];
    }

    public IReadOnlyList<CqlHost> Hosts => _hosts;

    /// <summary>Connects to the first contact point that answers and reads the topology.</summary>
    public static async Task<CqlSession> ConnectAsync(CqlClientOptions options, ILogger logger, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        if (options.ContactPoints.Count == 0)
        {
            throw new ArgumentException("at least one contact point (host:port) is needed", nameof(options));
        }

        var session = new CqlSession(options, logger, time ?? TimeProvider.System);
        try
        {
            await session.RefreshTopologyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        session._refreshLoop = session.RefreshPeriodicallyAsync();
        return session;
    }

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c> or a bare host (port 9042).</summary>
    public static (string Host, int Port) ParseContactPoint(string contactPoint)
    {
        if (IPEndPoint.TryParse(contactPoint, out var endpoint) && (endpoint.Port != 0 || !contactPoint.Contains(':', StringComparison.Ordinal)))
        {
            return (endpoint.Address.ToString(), endpoint.Port == 0 ? 9042 : endpoint.Port);
        }

        var colon = contactPoint.LastIndexOf(':');
        if (colon > 0 && int.TryParse(contactPoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
        {
            return (contactPoint[..colon], port);
        }

        if (colon < 0 && contactPoint.Length > 0)
        {
            return (contactPoint, 9042);
        }

        throw new ArgumentException($"'{contactPoint}' is not host:port (e.g. 10.0.0.5:9042)");
    }

    /// <summary>Runs an unprepared statement (DDL, reads of system tables) on the first node of the plan that answers.</summary>
    public Task<CqlResponse> QueryAsync(string cql, QueryParameters? parameters = null, CancellationToken cancellationToken = default) =>
        RunAsync(null, (connection, ct) => connection.SendAsync(new QueryRequest(cql, parameters ?? new QueryParameters()), cancellationToken: ct), cancellationToken);

    /// <summary>Prepares <paramref name="cql"/> once per session (on the first node that answers); later calls return the cached statement.</summary>
    public async Task<PreparedStatement> PrepareAsync(string cql, CancellationToken cancellationToken = default)
    {
        if (_prepared.TryGetValue(cql, out var known))
        {
            return known;
        }

        var response = await RunAsync(null, (connection, ct) => connection.SendAsync(new PrepareRequest(cql), cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        var prepared = new PreparedStatement(cql, (PreparedResult)response);
        _prepared[cql] = prepared;
        return prepared;
    }

    /// <summary>
    /// Executes a prepared statement, routed to the owner of its partition. <paramref name="serialConsistency"/> is for
    /// conditional statements (IF ...), whose Paxos phase it governs.
    /// </summary>
    public Task<CqlResponse> ExecuteAsync(PreparedStatement statement, IReadOnlyList<object?> values, CqlConsistency consistency, CqlConsistency? serialConsistency = null, CancellationToken cancellationToken = default)
    {
        var bound = statement.Bind(values);
        var parameters = new QueryParameters { Consistency = consistency, Values = bound, SerialConsistency = serialConsistency };
        return RunAsync(statement.RoutingKey(bound), (connection, ct) => WithReprepareAsync(connection, [statement],
            () => connection.SendAsync(new ExecuteRequest(statement.Id, parameters, statement.Result.ResultMetadataId), statement.Result.ResultMetadata, cancellationToken: ct), ct), cancellationToken);
    }

    /// <summary>
    /// Sends prepared statements as one BATCH (unlogged unless said otherwise), routed by the first statement's
    /// partition: an unlogged batch of one partition is applied by Cassandra as a single mutation.
    /// </summary>
    public Task BatchAsync(IReadOnlyList<(PreparedStatement Statement, CqlValue[] Values)> statements, CqlConsistency consistency, BatchType type = BatchType.Unlogged, CancellationToken cancellationToken = default)
    {
        var batch = new BatchRequest(type, [.. statements.Select(s => BatchStatement.OfPrepared(s.Statement.Id, s.Values))], consistency);
        var routingKey = statements.Count > 0 ? statements[0].Statement.RoutingKey(statements[0].Values) : null;
        return RunAsync(routingKey, (connection, ct) => WithReprepareAsync(connection, [.. statements.Select(s => s.Statement).Distinct()],
            () => connection.SendAsync(batch, cancellationToken: ct), ct), cancellationToken);
    }

    /// <summary>The nodes to try for a request, best first (see the class summary).</summary>
    public IReadOnlyList<CqlHost> QueryPlan(byte[]? routingKey)
    {
        var hosts = _hosts;
        var local = hosts.Where(IsLocal).ToList();
        var start = local.Count == 0 ? 0 : (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)local.Count);
        var plan = new List<CqlHost>(hosts.Count);
        if (routingKey is not null && _ring.OwnerOf(Murmur3Token.Of(routingKey)) is { } owner && IsLocal(owner) && owner.IsUp)
        {
            plan.Add(owner);
        }

        plan.AddRange(local.Skip(start).Concat(local.Take(start)).Where(h => h.IsUp && !plan.Contains(h)));
        if (plan.Count == 0)
        {
            plan.AddRange(hosts.Where(h => !IsLocal(h) && h.IsUp));
        }

        return plan;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _refreshLoop.ConfigureAwait(false);
        if (_control is not null)
        {
            await _control.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var host in _hosts)
        {
            await host.CloseAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private bool IsLocal(CqlHost host) => _options.LocalDatacenter is null || host.Datacenter == _options.LocalDatacenter;

    private async Task<CqlResponse> RunAsync(byte[]? routingKey, Func<CqlConnection, CancellationToken, Task<CqlResponse>> send, CancellationToken cancellationToken)
    {
        var plan = QueryPlan(routingKey);
        var failures = new List<string>();
        foreach (var host in plan)
        {
            CqlConnection connection;
            try
            {
                connection = await host.ConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CqlConnectionException e)
            {
                LogHostUnreachable(host.Endpoint, host.NextAttempt, e.Message);
                failures.Add(e.Message);
                continue;
            }

            try
            {
                return await send(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (CqlConnectionException e)
            {
                // The connection broke with the request in flight or unsent; the sink's writes are idempotent (timestamped).
                host.MarkDown();
                failures.Add(e.Message);
            }
        }

        throw new CqlConnectionException(plan.Count == 0
            ? $"no node is up (known: {string.Join(", ", _hosts.Select(h => h.Endpoint))}; local datacenter {_options.LocalDatacenter ?? "any"})"
            : $"every node failed: {string.Join("; ", failures)}");
    }

    private async Task<CqlResponse> WithReprepareAsync(CqlConnection connection, IReadOnlyList<PreparedStatement> statements, Func<Task<CqlResponse>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (CqlUnpreparedException e)
        {
            LogReprepare(connection.Endpoint, Convert.ToHexString(e.PreparedId));
            foreach (var statement in statements)
            {
                await connection.SendAsync(new PrepareRequest(statement.Query), cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return await send().ConfigureAwait(false);
        }
    }
}
