using System.Collections.Concurrent;
using SentinelSync.Runtime;

namespace SentinelSync.IntegrationTests.Runtime.Cluster;

public sealed class TallyState
{
    public int Count { get; set; }

    /// <summary>Operation ids already counted: a retried operation counts once.</summary>
    public HashSet<string> Applied { get; set; } = [];
}

/// <summary>Every durable write of every tally, in commit order as seen by this process.</summary>
public sealed class WriteLog
{
    public ConcurrentQueue<(string Key, long Epoch, int Count, string Silo)> Writes { get; } = new();
}

public interface ITallyGrain : IGrainWithStringKey
{
    /// <summary>Counts the operation once, however often it is retried.</summary>
    [Idempotent]
    Task<int> AddAsync(string operationId);

    [ReadOnly]
    [Idempotent]
    Task<int> GetAsync();

    [ReadOnly]
    [Idempotent]
    Task<string> WhereAsync();
}

public sealed class TallyGrain([PersistentState("tally")] IPersistentState<TallyState> state, WriteLog log) : Grain, ITallyGrain
{
    public async Task<int> AddAsync(string operationId)
    {
        if (state.State.Applied.Add(operationId))
        {
            state.State.Count++;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // The write did not happen: forget it in memory too, or a retry would be skipped.
                state.State.Applied.Remove(operationId);
                state.State.Count--;
                throw;
            }

            log.Writes.Enqueue((Key, ActivationEpoch, state.State.Count, SiloName));
        }

        return state.State.Count;
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Count);

    public Task<string> WhereAsync() => Task.FromResult(SiloName);
}
