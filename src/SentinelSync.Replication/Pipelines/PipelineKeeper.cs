using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Grains;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// Keeps every configured pipeline running somewhere in the cluster: every silo periodically asks each
/// pipeline's source grain to be running. The call activates the grain on its owner (by placement) after a
/// start, a failover or a rebalance, restarts a failed run, and keeps the grain from being collected as idle.
/// A pipeline whose source grain cannot be activated or reached is logged at Error (again when the error
/// changes), counted (<c>sentinel.pipeline.start_failures</c>) and reported by <see cref="LastError"/>.
/// </summary>
public sealed partial class PipelineKeeper(IGrainFactory grains, PipelineRegistry pipelines, ILogger<PipelineKeeper> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, string> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _scheduled = new(StringComparer.Ordinal);
    private Task _loop = Task.CompletedTask;

    public static TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>Why the pipeline's source grain could not be made to run on the last attempt (null when it could).</summary>
    public string? LastError(string pipeline) => _errors.GetValueOrDefault(pipeline);

    private async Task LoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var pipeline in pipelines.Pipelines)
            {
                var name = pipeline.Name!;
                try
                {
                    await grains.GetGrain<ISourceGrain>(name).EnsureRunningAsync();
                    if (!_scheduled.ContainsKey(name))
                    {
                        // Once per silo start: the reminder itself is durable and fires on one silo.
                        await grains.GetGrain<IReconcileGrain>(name).EnsureScheduledAsync();
                        _scheduled[name] = true;
                    }

                    if (_errors.TryRemove(name, out _))
                    {
                        LogRecovered(logger, name);
                    }
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    var error = $"{e.GetType().Name}: {e.Message}";
                    PipelineInstruments.StartFailed(name);
                    if (_errors.TryGetValue(name, out var previous) is false || previous != error)
                    {
                        LogEnsureFailed(logger, name, e);
                    }

                    _errors[name] = error;
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline} is not running: its source grain could not be activated or reached; retrying every few seconds")]
    private static partial void LogEnsureFailed(ILogger logger, string pipeline, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: its source grain runs again")]
    private static partial void LogRecovered(ILogger logger, string pipeline);
}
