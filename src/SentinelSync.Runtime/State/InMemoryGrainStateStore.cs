using System.Collections.Concurrent;
using System.Globalization;

namespace SentinelSync.Runtime;

/// <summary>Grain state in memory, with the same ETag and fencing rules as the Postgres store (fast tests, benchmarks).</summary>
public sealed class InMemoryGrainStateStore(InMemoryGrainLeaseStore leases) : IGrainStateStore
{
    private readonly ConcurrentDictionary<(GrainId, string), (string Json, long Etag)> _records = new();
    private readonly Lock _lock = new();

    public Task<StoredState?> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken) =>
        Task.FromResult(_records.TryGetValue((grainId, stateName), out var record)
            ? new StoredState(record.Json, Format(record.Etag))
            : null);

    public Task<string> WriteAsync(GrainId grainId, string stateName, string json, string? expectedEtag, long epoch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Check(grainId, stateName, expectedEtag, epoch, out var current);
            var etag = (current?.Etag ?? 0) + 1;
            _records[(grainId, stateName)] = (json, etag);
            return Task.FromResult(Format(etag));
        }
    }

    public Task ClearAsync(GrainId grainId, string stateName, string? expectedEtag, long epoch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Check(grainId, stateName, expectedEtag, epoch, out _);
            _records.TryRemove((grainId, stateName), out _);
            return Task.CompletedTask;
        }
    }

    private void Check(GrainId grainId, string stateName, string? expectedEtag, long epoch, out (string Json, long Etag)? current)
    {
        var leaseEpoch = leases.CurrentEpoch(grainId);
        if (leaseEpoch != epoch)
        {
            throw new GrainFencedException(grainId, epoch, leaseEpoch);
        }

        current = _records.TryGetValue((grainId, stateName), out var record) ? record : null;
        var stored = current is null ? null : Format(current.Value.Etag);
        if (stored != expectedEtag)
        {
            throw new InconsistentStateException(grainId, stateName, expectedEtag, stored);
        }
    }

    private static string Format(long etag) => etag.ToString(CultureInfo.InvariantCulture);
}
