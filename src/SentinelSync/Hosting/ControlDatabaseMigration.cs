using Microsoft.Extensions.Hosting;
using Npgsql;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Hosting;

/// <summary>Migrates the control database (under its advisory lock) before the Orleans silo starts on it.</summary>
internal sealed class ControlDatabaseMigration(NpgsqlDataSource controlDb) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        ControlDatabase.MigrateAsync(controlDb, [], cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
