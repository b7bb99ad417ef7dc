using Orleans.Concurrency;
using Orleans.Runtime;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Resync;

namespace SentinelSync.IntegrationTests.Cluster;

/// <summary>A fenced grain with durable state, placed like pipeline sources (rendezvous).</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<long> IncrementAsync();

    [ReadOnly]
    Task<CounterReading> ReadAsync();
}

[GenerateSerializer]
public sealed record CounterReading(long Count, long Epoch, string Silo);

public sealed class CounterState
{
    public long Count { get; set; }
}

[GrainType("test-counter")]
[RendezvousPlacement]
public sealed class CounterGrain(
    [PersistentState("counter", FencedGrainStorage.Name)] IPersistentState<CounterState> state,
    ILocalSiloDetails silo,
    GrainLeases leases,
    ActivationEpochs epochs) : FencedGrain(leases, epochs), ICounterGrain
{
    protected override Task OnLeasedAsync(CancellationToken cancellationToken) => state.ReadStateAsync(cancellationToken);

    public async Task<long> IncrementAsync()
    {
        state.State.Count++;
        await state.WriteStateAsync();
        return state.State.Count;
    }

    public Task<CounterReading> ReadAsync() => Task.FromResult(new CounterReading(state.State.Count, Epoch, silo.Name));
}

/// <summary>Grains that call each other along a path, waits that show turns, and failures that cross silos.</summary>
public interface IProbeGrain : IGrainWithStringKey
{
    /// <summary>Calls the first grain of <paramref name="path"/> with the rest of it; returns the keys visited.</summary>
    Task<string> ForwardAsync(string[] path);

    /// <summary>Waits (up to 3 s) until two calls are inside at once; true when they were.</summary>
    [ReadOnly]
    Task<bool> MeetReadOnlyAsync();

    /// <summary>As <see cref="MeetReadOnlyAsync"/>, as an ordinary (exclusive) call.</summary>
    Task<bool> MeetExclusiveAsync();

    [Idempotent]
    Task<string> SlowIdempotentAsync(TimeSpan wait);

    Task<string> SlowAsync(TimeSpan wait);

    Task<string> SiloAsync();

    Task RejectAsync(string message);

    /// <summary>Fails the way a destination does: with a library exception Orleans has no codec for.</summary>
    Task FailLikeADatabaseAsync();
}

[GrainType("test-probe")]
[RendezvousPlacement]
public sealed class ProbeGrain(ILocalSiloDetails silo) : Grain, IProbeGrain
{
    private int _inside;

    public async Task<string> ForwardAsync(string[] path) =>
        path.Length == 0
            ? this.GetPrimaryKeyString()
            : $"{this.GetPrimaryKeyString()} -> {await GrainFactory.GetGrain<IProbeGrain>(path[0]).ForwardAsync(path[1..])}";

    public Task<bool> MeetReadOnlyAsync() => MeetAsync();

    public Task<bool> MeetExclusiveAsync() => MeetAsync();

    public async Task<string> SlowIdempotentAsync(TimeSpan wait)
    {
        await Task.Delay(wait);
        return silo.Name;
    }

    public async Task<string> SlowAsync(TimeSpan wait)
    {
        await Task.Delay(wait);
        return silo.Name;
    }

    public Task<string> SiloAsync() => Task.FromResult(silo.Name);

    public Task RejectAsync(string message) => throw new ResyncRejectedException(message);

    public Task FailLikeADatabaseAsync() => throw new Npgsql.PostgresException("duplicate key value violates unique constraint \"items_pkey\"", "ERROR", "ERROR", "23505");

    private async Task<bool> MeetAsync()
    {
        _inside++;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(3);
            while (_inside < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            return _inside >= 2;
        }
        finally
        {
            await Task.Delay(50);
            _inside--;
        }
    }
}
