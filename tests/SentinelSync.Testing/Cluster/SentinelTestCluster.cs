using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;
using SentinelSync.Configuration;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Testing;

/// <summary>
/// An Orleans TestingHost cluster (silos in this process) shaped like SentinelSync's: fenced grain state and
/// leases on a fresh control database of the real Postgres (migrated as <c>sentinel run</c> does), SentinelSync's
/// placement and filters, and its failure-detection defaults. Membership is the TestingHost's own (Orleans 10
/// does not let an in-process test cluster use another; the ADO.NET clustering on the control database is what
/// every test of a real <c>sentinel run</c> process uses), and silos talk over its in-memory transport.
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

        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(controlDb);
            silo.Configure<ClusterMembershipOptions>(FastFailureDetection);
            silo.AddSentinelGrains();
            configure?.Invoke(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();

        // Placement chooses among the silos the placing silo sees as active and compatible: start every test
        // from a settled view, or grains land by a partial one.
        await Eventually.WaitAsync(
            () => Task.FromResult(cluster.Silos.All(s => s.ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) == silos)),
            TimeSpan.FromSeconds(30),
            () => $"every silo to see the {silos} silos active");
        await cluster.WaitForClusterManifestToStabilizeAsync(didKill: false);
        return new SentinelTestCluster(cluster, database, controlDb);
    }

    /// <summary>The failure detection <c>sentinel run</c> uses by default (the <c>cluster</c> section's defaults).</summary>
    public static void FastFailureDetection(ClusterMembershipOptions o) => new ClusterConfig().ApplyTo(o);

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
