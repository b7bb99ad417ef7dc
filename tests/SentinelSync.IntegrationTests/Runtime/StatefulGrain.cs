using SentinelSync.Runtime;

namespace SentinelSync.IntegrationTests.Runtime;

public sealed class LedgerState
{
    public int Count { get; set; }

    public List<string> Entries { get; set; } = [];
}

public interface ILedgerGrain : IGrainWithStringKey
{
    Task<int> AppendAsync(string entry);

    [ReadOnly]
    Task<LedgerState> GetAsync();

    Task ClearAsync();

    [ReadOnly]
    Task<long> GetEpochAsync();
}

public sealed class LedgerGrain([PersistentState("ledger")] IPersistentState<LedgerState> state) : Grain, ILedgerGrain
{
    public async Task<int> AppendAsync(string entry)
    {
        state.State.Count++;
        state.State.Entries.Add(entry);
        await state.WriteStateAsync();
        return state.State.Count;
    }

    public Task<LedgerState> GetAsync() => Task.FromResult(state.State);

    public Task ClearAsync() => state.ClearStateAsync();

    public Task<long> GetEpochAsync() => Task.FromResult(ActivationEpoch);
}
