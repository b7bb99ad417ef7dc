using Microsoft.Extensions.Hosting;
using Npgsql;
using SentinelSync.Configuration;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Runtime;

namespace SentinelSync.Hosting;

/// <summary>
/// Runs the silo inside the host: starts it (control database migrated, joined to the cluster of its control
/// database) and stops it gracefully on SIGINT/SIGTERM. A silo the cluster declared dead stops the process.
/// </summary>
internal sealed class SiloService(SentinelConfig config, NpgsqlDataSource controlDb, PipelineRegistry pipelines, IServiceProvider services, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime) : IHostedService
{
    private readonly TaskCompletionSource<Silo> _silo = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PipelineKeeper? _keeper;
    private volatile bool _stopping;

    /// <summary>Completes once the silo runs.</summary>
    public Task<Silo> Silo => _silo.Task;

    /// <summary>Joined and not stopping: a stopping silo turns not-ready first, so that traffic moves away while it drains.</summary>
    public bool IsReady => _silo.Task.IsCompletedSuccessfully && !_stopping && !_silo.Task.Result.Died.IsCompleted;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var options = new SiloOptions { Name = config.Silo.Name!, IdleTimeout = config.Silo.IdleTimeout };
            var cluster = new ClusterOptions
            {
                ListenAddress = config.Silo.Listen,
                AdvertisedHost = config.Silo.AdvertisedHost ?? config.Silo.Listen,
                SiloPort = config.Silo.SiloPort == 0 ? config.Silo.HttpPort + 1 : config.Silo.SiloPort,
            };
            var silo = await Runtime.Silo.StartAsync(options, controlDb, services, [typeof(SourceGrain).Assembly], loggerFactory, cluster: cluster, cancellationToken: cancellationToken);
            _ = silo.Died.ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
            _keeper = new PipelineKeeper(silo.GrainFactory, pipelines, loggerFactory.CreateLogger<PipelineKeeper>());
            _keeper.Start();
            _silo.TrySetResult(silo);
        }
        catch (Exception e)
        {
            _silo.TrySetException(e);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_keeper is not null)
        {
            await _keeper.DisposeAsync();
        }

        if (_silo.Task.IsCompletedSuccessfully)
        {
            // Sources first, while their table and sink grains still run: they drain, then confirm the slot.
            var running = _silo.Task.Result;
            await Task.WhenAll(running.ActiveGrains.Where(g => g.Type == "Source").Select(g => running.GrainFactory.GetGrain<ISourceGrain>(g.Key).StopAsync()));
            await Task.WhenAll(running.ActiveGrains.Where(g => g.Type == "Source").Select(g => running.WaitForDeactivationAsync(g)));
            await _silo.Task.Result.StopAsync().WaitAsync(cancellationToken);
        }
    }
}
