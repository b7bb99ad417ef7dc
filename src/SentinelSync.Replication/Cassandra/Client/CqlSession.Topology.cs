using System.Globalization;
using System.Net;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>The control connection: topology from system.local and system.peers, events, periodic refresh.</summary>
public sealed partial class CqlSession
{
    internal const string LocalQuery = "SELECT data_center, rack, tokens FROM system.local WHERE key = 'local'";
    internal const string PeersQuery = "SELECT peer, rpc_address, data_center, rack, tokens FROM system.peers";

    /// <summary>Reads the nodes and their tokens again (reconnecting the control connection when it broke).</summary>
    public async Task RefreshTopologyAsync(CancellationToken cancellationToken = default)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (control, host, port) = await ControlConnectionAsync(cancellationToken).ConfigureAwait(false);
            var parameters = new QueryParameters { Consistency = CqlConsistency.One };
            var local = (RowsResult)await control.SendAsync(new QueryRequest(LocalQuery, parameters), cancellationToken: cancellationToken).ConfigureAwait(false);
            var peers = (RowsResult)await control.SendAsync(new QueryRequest(PeersQuery, parameters), cancellationToken: cancellationToken).ConfigureAwait(false);

            var known = _hosts.ToDictionary(h => h.Endpoint, StringComparer.Ordinal);
            var hosts = new List<CqlHost>();
            foreach (var row in local.Rows)
            {
                hosts.Add(HostOf(known, host, port, local, row));
            }

            foreach (var row in peers.Rows)
            {
                var rpc = peers.Value(row, "rpc_address") as IPAddress;
                var address = rpc is null || rpc.Equals(IPAddress.Any) || rpc.Equals(IPAddress.IPv6Any) ? (IPAddress)peers.Value(row, "peer")! : rpc;
                hosts.Add(HostOf(known, address.ToString(), port, peers, row));
            }

            foreach (var gone in known.Values.Where(h => !hosts.Contains(h)))
            {
                await gone.CloseAsync().ConfigureAwait(false);
            }

            _hosts = hosts;
            _ring = new TokenRing(hosts);
            LogTopology(hosts.Count, hosts.Count(IsLocal), _options.LocalDatacenter ?? "any");
            if (_options.LocalDatacenter is { } dc && !hosts.Any(h => h.Datacenter == dc))
            {
                throw new CqlConnectionException($"localDatacenter '{dc}' has no node; the cluster's datacenters are: {string.Join(", ", hosts.Select(h => h.Datacenter).Distinct())}");
            }
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>
    /// Waits until every node that answers reports the same schema version after DDL (as drivers do), so that the next
    /// statement, perhaps run by another node, sees the new table or column; gives up quietly after 10 s.
    /// </summary>
    public async Task WaitForSchemaAgreementAsync(CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetUtcNow() + TimeSpan.FromSeconds(10);
        var parameters = new QueryParameters { Consistency = CqlConsistency.One };
        while (true)
        {
            var (control, _, _) = await ControlConnectionAsync(cancellationToken).ConfigureAwait(false);
            var local = (RowsResult)await control.SendAsync(new QueryRequest("SELECT schema_version FROM system.local WHERE key = 'local'", parameters), cancellationToken: cancellationToken).ConfigureAwait(false);
            var peers = (RowsResult)await control.SendAsync(new QueryRequest("SELECT schema_version FROM system.peers", parameters), cancellationToken: cancellationToken).ConfigureAwait(false);
            var versions = local.Rows.Concat(peers.Rows).Select(r => r[0]).Where(v => v is not null).Distinct().Count();
            if (versions <= 1 || _time.GetUtcNow() > deadline)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private CqlHost HostOf(Dictionary<string, CqlHost> known, string address, int port, RowsResult result, object?[] row)
    {
        var datacenter = result.Value(row, "data_center") as string;
        var rack = result.Value(row, "rack") as string;
        var tokens = (result.Value(row, "tokens") as IEnumerable<object?> ?? [])
            .Select(t => long.Parse((string)t!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToList();
        var host = new CqlHost(address, port, datacenter, rack, tokens, _options, _time);
        return known.TryGetValue(host.Endpoint, out var existing) && existing.Datacenter == datacenter && existing.Tokens.SequenceEqual(tokens) ? existing : host;
    }

    private async Task<(CqlConnection Control, string Host, int Port)> ControlConnectionAsync(CancellationToken cancellationToken)
    {
        if (_control is { IsClosed: false } open)
        {
            return (open, _controlHost, _controlPort);
        }

        var candidates = _hosts.Where(h => h.IsUp).Select(h => (h.Address, h.Port)).Concat(_contactPoints).Distinct().ToList();
        var failures = new List<string>();
        foreach (var (host, port) in candidates)
        {
            try
            {
                var connection = await CqlConnection.OpenAsync(host, port, _options, cancellationToken).ConfigureAwait(false);
                connection.Event += OnEvent;
                await connection.SendAsync(new RegisterRequest(["TOPOLOGY_CHANGE", "STATUS_CHANGE"]), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (_control is not null)
                {
                    await _control.DisposeAsync().ConfigureAwait(false);
                }

                (_control, _controlHost, _controlPort) = (connection, host, port);

                // The version the first node agreed on is spoken by every connection of the session, as drivers do.
                _options = _options with { ProtocolVersion = connection.ProtocolVersion };
                LogControlConnection(connection.Endpoint, connection.ProtocolVersion, connection.Compression ?? "none");
                return (connection, host, port);
            }
            catch (Client.CqlConnectionException e)
            {
                failures.Add(e.Message);
            }
        }

        throw new CqlConnectionException($"no contact point answered: {string.Join("; ", failures)}");
    }

    private void OnEvent(EventResponse pushed)
    {
        var host = pushed.Node is { } node ? _hosts.FirstOrDefault(h => IPAddress.TryParse(h.Address, out var a) && a.Equals(node.Address)) : null;
        LogEvent(pushed.EventType, pushed.Change ?? "", pushed.Node?.ToString() ?? "");
        switch (pushed.EventType, pushed.Change)
        {
            case ("STATUS_CHANGE", "UP"):
                host?.MarkUp();
                break;
            case ("STATUS_CHANGE", "DOWN"):
                host?.MarkDown();
                break;
            case ("TOPOLOGY_CHANGE", _):
                // Off the reader loop: the refresh sends requests on this very connection.
                _ = Task.Run(() => RefreshQuietlyAsync(_stopping.Token));
                break;
        }
    }

    private async Task RefreshPeriodicallyAsync()
    {
        using var timer = new PeriodicTimer(_topologyRefreshInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                await RefreshQuietlyAsync(_stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>A background refresh: a failure is logged and the next tick tries again; requests keep the last topology.</summary>
    private async Task RefreshQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshTopologyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRefreshFailed(e);
        }
    }
}
