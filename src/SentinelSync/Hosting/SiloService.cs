using Microsoft.Extensions.Hosting;
using Npgsql;
using SentinelSync.Configuration;
using SentinelSync.Runtime;

namespace SentinelSync.Hosting;

/// <summary>Runs the silo inside the host: starts it (control database migrated) and stops it gracefully on SIGINT/SIGTERM.</summary>
internal sealed class SiloService(SentinelConfig config, NpgsqlDataSource controlDb, IServiceProvider services, ILoggerFactory loggerFactory) : IHostedService
{
    private readonly TaskCompletionSource<Silo> _silo = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the silo runs.</summary>
    public Task<Silo> Silo => _silo.Task;

    public bool IsReady => _silo.Task.IsCompletedSuccessfully;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var options = new SiloOptions { Name = config.Silo.Name!, IdleTimeout = config.Silo.IdleTimeout };
            _silo.TrySetResult(await Runtime.Silo.StartAsync(options, controlDb, services, [typeof(SiloService).Assembly], loggerFactory, cancellationToken: cancellationToken));
        }
        catch (Exception e)
        {
            _silo.TrySetException(e);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_silo.Task.IsCompletedSuccessfully)
        {
            await _silo.Task.Result.StopAsync().WaitAsync(cancellationToken);
        }
    }
}
