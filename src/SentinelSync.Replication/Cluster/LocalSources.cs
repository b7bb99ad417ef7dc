using System.Collections.Concurrent;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// The pipeline sources active on this silo, and when each ends: what a graceful stop drains first and what
/// the rebalancer moves. Source grains register themselves when their lease is held and leave after release.
/// </summary>
public sealed class LocalSources
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _active = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Pipelines => [.. _active.Keys];

    /// <summary>
    /// Raised when a source becomes active here. A source can start long after the membership change that
    /// placed it (it waits for the previous owner's lease), by which time another silo may have joined that owns it.
    /// </summary>
    public event Action<string>? SourceActivated;

    public void Activated(string pipeline)
    {
        _active[pipeline] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SourceActivated?.Invoke(pipeline);
    }

    public void Deactivated(string pipeline)
    {
        if (_active.TryRemove(pipeline, out var ended))
        {
            ended.TrySetResult();
        }
    }

    /// <summary>Completes when the source of <paramref name="pipeline"/> is no longer active here (at once if it is not).</summary>
    public Task WhenDeactivatedAsync(string pipeline) =>
        _active.TryGetValue(pipeline, out var ended) ? ended.Task : Task.CompletedTask;
}
