using System.Collections.Concurrent;
using SentinelSync.Runtime;

namespace SentinelSync.Tests.Runtime;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync(int by);

    [ReadOnly]
    Task<int> GetAsync();

    Task FailAsync(string message);

    ValueTask<string> EchoAsync(string text);

    ValueTask ResetAsync();
}

public sealed class CounterGrain : Grain, ICounterGrain
{
    private int _value;

    public Task<int> IncrementAsync(int by) => Task.FromResult(_value += by);

    public Task<int> GetAsync() => Task.FromResult(_value);

    public Task FailAsync(string message) => throw new ArgumentOutOfRangeException(nameof(message), message);

    public ValueTask<string> EchoAsync(string text) => ValueTask.FromResult(text);

    public ValueTask ResetAsync()
    {
        _value = 0;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Records, per grain key, how many turns overlapped at most.</summary>
public sealed class TurnRecorder
{
    public ConcurrentDictionary<string, int> Running { get; } = new();

    public ConcurrentDictionary<string, int> MaxRunning { get; } = new();

    public ConcurrentDictionary<string, int> ExclusiveRunning { get; } = new();

    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>Turns that ran beside an exclusive turn: must stay empty.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    public void Enter(string key, bool exclusive = true)
    {
        var running = Running.AddOrUpdate(key, 1, (_, n) => n + 1);
        MaxRunning.AddOrUpdate(key, running, (_, max) => Math.Max(max, running));
        var exclusiveRunning = exclusive ? ExclusiveRunning.AddOrUpdate(key, 1, (_, n) => n + 1) : ExclusiveRunning.GetValueOrDefault(key);
        if ((exclusive && running > 1) || exclusiveRunning > (exclusive ? 1 : 0))
        {
            Violations.Enqueue($"{key}: {running} turns running, {exclusiveRunning} exclusive");
        }
    }

    public void Exit(string key, bool exclusive = true)
    {
        if (exclusive)
        {
            ExclusiveRunning.AddOrUpdate(key, 0, (_, n) => n - 1);
        }

        Running.AddOrUpdate(key, 0, (_, n) => n - 1);
    }
}

public interface ITurnGrain : IGrainWithStringKey
{
    Task<int> WorkAsync(int sequence);

    [ReadOnly]
    Task<int> ReadAsync();

    Task<int> CallAsync(string otherKey, int depth);

    Task StartTimerAsync(TimeSpan period);

    [ReadOnly]
    Task<int> GetTimerTicksAsync();

    Task DeactivateAsync();
}

public sealed class TurnGrain(TurnRecorder recorder) : Grain, ITurnGrain
{
    private readonly List<int> _order = [];
    private int _timerTicks;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        recorder.Events.Enqueue($"activate {Key}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        recorder.Events.Enqueue($"deactivate {Key} {reason}");
        return Task.CompletedTask;
    }

    public async Task<int> WorkAsync(int sequence)
    {
        recorder.Enter(Key);
        try
        {
            // Awaiting real I/O-like delays inside a turn must not let another turn in.
            await Task.Yield();
            await Task.Delay(1);
            _order.Add(sequence);
            return _order.Count;
        }
        finally
        {
            recorder.Exit(Key);
        }
    }

    public async Task<int> ReadAsync()
    {
        recorder.Enter(Key, exclusive: false);
        try
        {
            await Task.Delay(20);
            return _order.Count;
        }
        finally
        {
            recorder.Exit(Key, exclusive: false);
        }
    }

    public Task<int> CallAsync(string otherKey, int depth) =>
        depth == 0 ? Task.FromResult(0) : GrainFactory.GetGrain<ITurnGrain>(otherKey).CallAsync(Key, depth - 1);

    public Task StartTimerAsync(TimeSpan period)
    {
        RegisterGrainTimer(
            async _ =>
            {
                recorder.Enter(Key);
                try
                {
                    await Task.Delay(1);
                    _timerTicks++;
                }
                finally
                {
                    recorder.Exit(Key);
                }
            },
            period,
            period);
        return Task.CompletedTask;
    }

    public Task<int> GetTimerTicksAsync() => Task.FromResult(_timerTicks);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

public interface IBrokenGrain : IGrainWithStringKey
{
    Task<string> HelloAsync();
}

public sealed class BrokenGrain(TurnRecorder recorder) : Grain, IBrokenGrain
{
    public static int Attempts;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref Attempts);
        recorder.Events.Enqueue($"broken attempt {attempt}");
        return attempt == 1 ? throw new InvalidOperationException("activation refused on purpose") : Task.CompletedTask;
    }

    public Task<string> HelloAsync() => Task.FromResult("hello");
}

public sealed class CounterState
{
    public int Value { get; set; }

    public List<string> History { get; set; } = [];
}

public interface IStatefulGrain : IGrainWithStringKey
{
    Task<int> AddAsync(string entry);

    [ReadOnly]
    Task<CounterState> GetAsync();

    Task ClearAsync();

    Task<long> GetEpochAsync();

    Task<string?> GetEtagAsync();
}

public sealed class StatefulGrain([PersistentState("counter")] IPersistentState<CounterState> state) : Grain, IStatefulGrain
{
    public async Task<int> AddAsync(string entry)
    {
        state.State.Value++;
        state.State.History.Add(entry);
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<CounterState> GetAsync() => Task.FromResult(state.State);

    public Task ClearAsync() => state.ClearStateAsync();

    public Task<long> GetEpochAsync() => Task.FromResult(ActivationEpoch);

    public Task<string?> GetEtagAsync() => Task.FromResult(state.Etag);
}
