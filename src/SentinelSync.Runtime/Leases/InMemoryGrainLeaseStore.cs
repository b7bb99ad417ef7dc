using System.Collections.Concurrent;

namespace SentinelSync.Runtime;

/// <summary>Leases for a silo without a control database (fast tests, benchmarks): epochs kept in memory.</summary>
public sealed class InMemoryGrainLeaseStore : IGrainLeaseStore
{
    private readonly ConcurrentDictionary<GrainId, long> _epochs = new();

    public Task<long> AcquireAsync(GrainId grainId, CancellationToken cancellationToken) =>
        Task.FromResult(_epochs.AddOrUpdate(grainId, 1, static (_, epoch) => epoch + 1));

    public Task ReleaseAsync(GrainId grainId, long epoch) => Task.CompletedTask;

    /// <summary>The epoch a write must carry to pass the fence.</summary>
    public long? CurrentEpoch(GrainId grainId) => _epochs.TryGetValue(grainId, out var epoch) ? epoch : null;
}
