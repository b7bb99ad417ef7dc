using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Testing;

/// <summary>
/// An Orleans TestingHost cluster (silos in this process) shaped like SentinelSync's: ADO.NET clustering and
/// fenced grain state on a fresh control database of the real Postgres (migrated as <c>sentinel run</c> does),
/// SentinelSync's placement, filters and leases, and failure detection fast enough for tests.
/// </summary>
public sealed class SentinelTestCluster : IAsyncDisposable
{
    private SentinelTestCluster(InProcessTestCluster cluster, PostgresDatabase database, NpgsqlDataSource controlDb)
    {
        Cluster = cluster;
        Database = database;
        ControlDb = controlDb;
    }

    public InProcessTestCluster Cluster { get; }

    public PostgresDatabase Database { get; }

    public NpgsqlDataSource ControlDb { get; }

    /// <summary>The cluster's client: calls enter through a silo's gateway, as an external caller's would.</summary>
    public IClusterClient Client => Cluster.Client;

    public static async Task<SentinelTestCluster> StartAsync(
        int silos,
        Action<ISiloBuilder>? configure = null,
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "")
    {
        var database = await PostgresDatabase.CreateAsync(TestServers.Postgres, name, callerFile);
        var controlDb = NpgsqlDataSource.Create(database.ConnectionString);
        await ControlDatabase.MigrateAsync(controlDb, [], CancellationToken.None);
        var clustering = new NpgsqlConnectionStringBuilder(database.ConnectionString) { SearchPath = "orleans", MaxPoolSize = 4 }.ConnectionString;

        var builder = new InProcessTestClusterBuilder((short)silos);
        // Orleans 10 made this option internal (default true). Left on, the test cluster registers its in-memory membership
        // table after ours, so the silos never use the ADO.NET table, and it shares one grain directory among them.
        var useTestClusterMembership = typeof(InProcessTestClusterOptions).GetProperty("UseTestClusterMembership", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("InProcessTestClusterOptions.UseTestClusterMembership is gone: check how this Orleans version picks the membership table.");
        useTestClusterMembership.SetValue(builder.Options, false);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(controlDb);
            silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", clustering));
            silo.Configure<ClusterMembershipOptions>(FastFailureDetection);
            silo.AddSentinelGrains();
            configure?.Invoke(silo);
        });
        builder.ConfigureClient(client => client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", clustering)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new SentinelTestCluster(cluster, database, controlDb);
    }

    /// <summary>The failure detection <c>sentinel run</c> uses by default (the <c>cluster</c> section's defaults).</summary>
    public static void FastFailureDetection(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 2;
        o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
        o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
    }

    /// <summary>The silo named <paramref name="siloName"/> (as grains report <c>ILocalSiloDetails.Name</c>).</summary>
    public InProcessSiloHandle Silo(string siloName) =>
        Cluster.Silos.Single(s => s.ServiceProvider.GetRequiredService<ILocalSiloDetails>().Name == siloName);

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await ControlDb.DisposeAsync();
        await Database.DisposeAsync();
    }
}
