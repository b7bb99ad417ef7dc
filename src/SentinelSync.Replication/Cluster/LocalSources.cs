using System.Collections.Concurrent;
using SentinelSync.Replication.Grains;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// The movable grains active on this silo (pipeline sources and Kafka partitions), and when each ends: what a
/// graceful stop drains first and what the rebalancer moves. They register themselves when their lease is held
/// and leave after release.
/// </summary>
public sealed class LocalSources
{
    private readonly ConcurrentDictionary<GrainId, TaskCompletionSource> _active = new();

    /// <summary>The pipelines whose source is active here.</summary>
    public IReadOnlyCollection<string> Pipelines =>
        [.. _active.Keys.Where(id => id.Type.ToString() == SourceGrain.GrainType).Select(id => id.Key.ToString()!)];

    /// <summary>Every movable grain active here.</summary>
    public IReadOnlyCollection<GrainId> Grains => [.. _active.Keys];

    /// <summary>
    /// Raised when a grain becomes active here. It can start long after the membership change that placed it (it
    /// waits for the previous owner's lease), by which time another silo may have joined that owns it.
    /// </summary>
    public event Action<GrainId>? Activated;

    public void Add(GrainId grain)
    {
        _active[grain] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Activated?.Invoke(grain);
    }

    public void Remove(GrainId grain)
    {
        if (_active.TryRemove(grain, out var ended))
        {
            ended.TrySetResult();
        }
    }

    /// <summary>Completes when the source of <paramref name="pipeline"/> is no longer active here (at once if it is not).</summary>
    public Task WhenDeactivatedAsync(string pipeline) =>
        _active.TryGetValue(GrainId.Create(SourceGrain.GrainType, pipeline), out var ended) ? ended.Task : Task.CompletedTask;
}
