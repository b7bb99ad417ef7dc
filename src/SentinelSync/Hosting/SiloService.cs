using Microsoft.Extensions.Hosting;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Hosting;

/// <summary>
/// What runs beside the Orleans silo once it joined the cluster: the pipeline keeper and the rebalancer.
/// Registered after Orleans, so it starts after the silo is active and stops before it: on SIGINT/SIGTERM the
/// local pipeline sources drain first (their sinks apply what they hold, the slot is confirmed), while their
/// table and sink grains still run; then Orleans deactivates the rest and leaves the cluster.
/// </summary>
internal sealed class SiloService(
    PipelineKeeper keeper,
    IGrainFactory grains,
    LocalSources sources,
    PipelineRebalancer rebalancer) : IHostedService
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Task _rebalancing = Task.CompletedTask;
    private volatile bool _stopping;

    /// <summary>Completes once the silo is active in the cluster.</summary>
    public Task Started => _started.Task;

    /// <summary>Joined and not stopping: a stopping silo turns not-ready first, so that traffic moves away while it drains.</summary>
    public bool IsReady => _started.Task.IsCompletedSuccessfully && !_stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        keeper.Start();
        _rebalancing = Task.Run(() => rebalancer.RunAsync(_stop.Token), CancellationToken.None);
        _started.TrySetResult();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await _stop.CancelAsync();
        await _rebalancing;
        await keeper.DisposeAsync();

        var local = sources.Pipelines;
        var ended = local.Select(sources.WhenDeactivatedAsync).ToList();
        await Task.WhenAll(local.Select(p => grains.GetGrain<ISourceGrain>(p).StopAsync()));
        await Task.WhenAll(ended).WaitAsync(cancellationToken);
    }
}
