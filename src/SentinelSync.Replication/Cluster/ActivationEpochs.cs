using System.Collections.Concurrent;
using Orleans.Runtime;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// The lease epochs of this silo's fenced activations, for <see cref="FencedGrainStorage"/>: Orleans' storage
/// interface is not told which activation writes, and a silo has at most one activation of a grain at a time.
/// </summary>
public sealed class ActivationEpochs
{
    private readonly ConcurrentDictionary<GrainId, long> _epochs = new();

    public void Set(GrainId grainId, long epoch) => _epochs[grainId] = epoch;

    public void Remove(GrainId grainId, long epoch) => _epochs.TryRemove(new KeyValuePair<GrainId, long>(grainId, epoch));

    /// <exception cref="InvalidOperationException">The grain has no leased activation on this silo.</exception>
    public long Of(GrainId grainId) =>
        _epochs.TryGetValue(grainId, out var epoch)
            ? epoch
            : throw new InvalidOperationException($"Grain {grainId} writes state without a lease: derive it from {nameof(FencedGrain)}.");
}
