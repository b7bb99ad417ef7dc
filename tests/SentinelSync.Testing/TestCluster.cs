using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SentinelSync.Runtime;

namespace SentinelSync.Testing;

/// <summary>
/// Several silos in one process against a fresh control database on the real Postgres, on distinct loopback
/// ports, with membership timings short enough for tests (the role Orleans' TestingHost plays).
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<Silo> _silos = [];
    private readonly Assembly[] _grainAssemblies;
    private readonly IServiceProvider _services;
    private readonly Action<ClusterOptions>? _configure;
    private int _nextSilo;

    private TestCluster(PostgresDatabase database, NpgsqlDataSource controlDb, Assembly[] grainAssemblies, IServiceProvider services, Action<ClusterOptions>? configure)
    {
        Database = database;
        ControlDb = controlDb;
        _grainAssemblies = grainAssemblies;
        _services = services;
        _configure = configure;
    }

    public PostgresDatabase Database { get; }

    public NpgsqlDataSource ControlDb { get; }

    /// <summary>The silos started and not stopped or killed, in start order.</summary>
    public IReadOnlyList<Silo> Silos
    {
        get { lock (_silos) { return [.. _silos]; } }
    }

    /// <summary>Membership timings used by every silo of test clusters: death declared about 1.5 s after the last heartbeat.</summary>
    public static MembershipOptions FastMembership() => new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        ProbeInterval = TimeSpan.FromMilliseconds(100),
        DeathTimeout = TimeSpan.FromMilliseconds(1500),
        VoteExpiration = TimeSpan.FromSeconds(10),
        VotesForDeath = 1,
    };

    public static async Task<TestCluster> StartAsync(
        int silos,
        Assembly[] grainAssemblies,
        Action<IServiceCollection>? services = null,
        Action<ClusterOptions>? configure = null,
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "")
    {
        var database = await PostgresDatabase.CreateAsync(TestServers.Postgres, name, callerFile);
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        var cluster = new TestCluster(database, NpgsqlDataSource.Create(database.ConnectionString), grainAssemblies, collection.BuildServiceProvider(), configure);
        for (var i = 0; i < silos; i++)
        {
            await cluster.StartSiloAsync();
        }

        await cluster.WaitForViewAsync(silos);
        return cluster;
    }

    /// <summary>Starts one more silo (name <c>silo-N</c>) and returns it once it is active.</summary>
    public async Task<Silo> StartSiloAsync()
    {
        var options = new ClusterOptions { Membership = FastMembership(), CallTimeout = TimeSpan.FromSeconds(10), LeaseWaitTimeout = TimeSpan.FromSeconds(10) };
        _configure?.Invoke(options);
        var silo = await Silo.StartAsync(
            new SiloOptions { Name = $"silo-{Interlocked.Increment(ref _nextSilo) - 1}" },
            ControlDb,
            _services,
            _grainAssemblies,
            cluster: options);
        lock (_silos)
        {
            _silos.Add(silo);
        }

        return silo;
    }

    /// <summary>Graceful leave: drains grains to the other silos and deregisters.</summary>
    public async Task StopSiloAsync(Silo silo)
    {
        Forget(silo);
        await silo.StopAsync();
    }

    /// <summary>Abrupt death: no drain, no lease release, heartbeats stop; the others must declare it dead.</summary>
    public async Task KillSiloAsync(Silo silo)
    {
        Forget(silo);
        await silo.KillAsync();
    }

    /// <summary>Waits until every live silo sees exactly <paramref name="count"/> active silos.</summary>
    public Task WaitForViewAsync(int count, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(
            () => Task.FromResult(Silos.All(s => s.ClusterView.Count == count)),
            timeout ?? TimeSpan.FromSeconds(15),
            () => $"every silo to see {count} active silos; views: {string.Join("; ", Silos.Select(s => $"{s.Name}: [{string.Join(", ", s.ClusterView)}]"))}");

    private void Forget(Silo silo)
    {
        lock (_silos)
        {
            _silos.Remove(silo);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.KillAsync();
        }

        await ControlDb.DisposeAsync();
        await Database.DisposeAsync();
    }
}
