using Microsoft.Extensions.Logging;
using SentinelSync.Replication.Grains;
using Orleans;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// Keeps every configured pipeline running somewhere in the cluster: every silo periodically asks each
/// pipeline's source grain to be running. The call activates the grain on its owner (by placement) after a
/// start, a failover or a rebalance, restarts a failed run, and keeps the grain from being collected as idle.
/// </summary>
public sealed partial class PipelineKeeper(IGrainFactory grains, PipelineRegistry pipelines, ILogger<PipelineKeeper> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public static TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    private async Task LoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var pipeline in pipelines.Pipelines)
            {
                try
                {
                    await grains.GetGrain<ISourceGrain>(pipeline.Name!).EnsureRunningAsync();
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    LogEnsureFailed(logger, pipeline.Name!, e.Message);
                }
            }

            await Task.Delay(Interval, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pipeline {Pipeline}: could not reach its source grain yet: {Error}")]
    private static partial void LogEnsureFailed(ILogger logger, string pipeline, string error);
}
