using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SentinelSync.Runtime;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Runtime.Membership;

/// <summary>
/// Membership agents of several silos in one process over one real control database, with short timings
/// (heartbeat and probe 100 ms, death timeout 1 s). Disposing stops every agent and drops the database.
/// </summary>
internal sealed class MembershipTestCluster : IAsyncDisposable
{
    private readonly PostgresDatabase _database;
    private readonly NpgsqlDataSource _dataSource;
    private readonly List<MembershipAgent> _agents = [];

    private MembershipTestCluster(PostgresDatabase database, NpgsqlDataSource dataSource)
    {
        _database = database;
        _dataSource = dataSource;
        Table = new PostgresMembershipTable(dataSource);
    }

    public PostgresMembershipTable Table { get; }

    public static MembershipOptions FastOptions() => new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        ProbeInterval = TimeSpan.FromMilliseconds(100),
        DeathTimeout = TimeSpan.FromSeconds(1),
        VoteExpiration = TimeSpan.FromSeconds(10),
        VotesForDeath = 2,
    };

    public static async Task<MembershipTestCluster> CreateAsync(string testName)
    {
        var database = await PostgresDatabase.CreateAsync(TestServers.Postgres, testName);
        var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await ControlDatabase.MigrateAsync(dataSource, [], default);
        return new MembershipTestCluster(database, dataSource);
    }

    /// <summary>Creates an agent for <paramref name="name"/>, joins it and makes it Active.</summary>
    public async Task<MembershipAgent> StartAsync(string name, MembershipOptions? options = null)
    {
        var agent = new MembershipAgent(Table, options ?? FastOptions(), name, $"http://127.0.0.1/{name}", TimeProvider.System, NullLogger.Instance);
        _agents.Add(agent);
        await agent.JoinAsync(default);
        await agent.BecomeActiveAsync(default);
        return agent;
    }

    public async Task<(MembershipEntry Entry, string Etag)> RowAsync(string name)
    {
        var snapshot = await Table.ReadAllAsync(default);
        return snapshot.Rows.Single(r => r.Entry.Name == name);
    }

    /// <summary>Waits until every agent in <paramref name="agents"/> sees exactly <paramref name="expected"/> as active.</summary>
    public Task WaitForViewsAsync(IReadOnlyList<MembershipAgent> agents, string[] expected, TimeSpan deadline, string phase) =>
        Eventually.WaitAsync(
            () => Task.FromResult(agents.All(a => Names(a).SequenceEqual(expected))),
            deadline,
            () => $"{phase}: expected every agent to see [{string.Join(",", expected)}]; "
                + string.Join("; ", agents.Select(a => $"{a.SiloName} sees [{string.Join(",", Names(a))}]"))
                + $"; table: {Describe()}");

    /// <summary>The table as text, for failure messages (blocks: only called when a wait has already failed).</summary>
    public string Describe() => DescribeAsync().GetAwaiter().GetResult();

    /// <summary>The table as text, for failure messages.</summary>
    public async Task<string> DescribeAsync()
    {
        var snapshot = await Table.ReadAllAsync(default);
        return $"v{snapshot.Version} " + string.Join(" | ", snapshot.Rows.Select(r =>
            $"{r.Entry.Name} {r.Entry.Status} etag={r.Etag} hb={r.Entry.LastHeartbeat:HH:mm:ss.fff} votes=[{string.Join(",", r.Entry.Suspicions.Select(v => v.Voter))}]"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static IEnumerable<string> Names(MembershipAgent agent) => agent.ActiveSilos.Select(e => e.Name);
}
