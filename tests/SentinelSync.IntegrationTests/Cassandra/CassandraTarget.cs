using Microsoft.Extensions.Logging.Abstractions;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Cassandra;

/// <summary>The Cassandra node of <see cref="TestServers.Cassandra"/>, read with the project's own client; drops its keyspace when disposed.</summary>
public sealed class CassandraTarget : IAsyncDisposable
{
    private CassandraTarget(CqlSession session, string keyspace)
    {
        Session = session;
        Keyspace = keyspace;
    }

    public CqlSession Session { get; }

    public string Keyspace { get; }

    public static async Task<CassandraTarget> ConnectAsync(string keyspace)
    {
        var options = new CqlClientOptions { ContactPoints = [TestServers.Cassandra!], LocalDatacenter = TestServers.CassandraDatacenter, RequestTimeout = TimeSpan.FromMinutes(1) };
        var session = await CqlSession.ConnectAsync(options, NullLogger.Instance);
        var target = new CassandraTarget(session, keyspace);
        await target.DropKeyspaceAsync();
        return target;
    }

    public CassandraSinkOptions SinkOptions() => new()
    {
        ContactPoints = [TestServers.Cassandra!],
        LocalDatacenter = TestServers.CassandraDatacenter,
        Keyspace = Keyspace,
        Replication = $"{{'class': 'NetworkTopologyStrategy', '{TestServers.CassandraDatacenter}': 1}}",
    };

    /// <summary>Every row of <paramref name="table"/> (all pages), columns as asked.</summary>
    public async Task<List<object?[]>> RowsAsync(string table, params string[] columns)
    {
        var rows = new List<object?[]>();
        byte[]? pagingState = null;
        var cql = $"SELECT {string.Join(", ", columns.Select(CqlIdentifier.Quote))} FROM {CqlIdentifier.Quote(Keyspace)}.{CqlIdentifier.Quote(table)}";
        do
        {
            var page = (RowsResult)await Session.QueryAsync(cql, new QueryParameters { Consistency = CqlConsistency.LocalQuorum, PageSize = 5000, PagingState = pagingState });
            rows.AddRange(page.Rows);
            pagingState = page.Metadata.PagingState;
        }
        while (pagingState is not null);
        return rows;
    }

    public async Task<bool> TableExistsAsync(string table)
    {
        var parameters = new QueryParameters
        {
            Values = [CqlValue.Of(CqlValueCodec.Encode(CqlType.Varchar, Keyspace)), CqlValue.Of(CqlValueCodec.Encode(CqlType.Varchar, table))],
        };
        var rows = (RowsResult)await Session.QueryAsync("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?", parameters);
        return rows.Rows.Count == 1;
    }

    public async ValueTask DisposeAsync()
    {
        await DropKeyspaceAsync();
        await Session.DisposeAsync();
    }

    private Task DropKeyspaceAsync() => Session.QueryAsync($"DROP KEYSPACE IF EXISTS {CqlIdentifier.Quote(Keyspace)}");
}
