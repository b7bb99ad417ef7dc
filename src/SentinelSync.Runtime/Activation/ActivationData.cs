using System.Diagnostics;

namespace SentinelSync.Runtime;

/// <summary>
/// One activation of a grain: its instance, its queue of turns and its life. All scheduling decisions are
/// taken under <c>_lock</c>; grain code never runs under it.
/// </summary>
/// <remarks>
/// A call that finds the activation idle runs inline on the caller's thread (no queueing, no allocation for
/// the request); otherwise it is queued and started on the thread pool when the running turn ends. A turn
/// lasts until the grain method's task completes, awaits included, so another call can enter only if both
/// are <see cref="ReadOnlyAttribute">read-only</see>.
/// </remarks>
internal sealed partial class ActivationData
{
    private readonly Lock _lock = new();
    private readonly Queue<WorkItem> _queue = new();
    private readonly HashSet<long> _readOnlyTurns = [];
    private readonly List<GrainTimer> _timers = [];
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActivationStatus _status = ActivationStatus.Activating;
    private bool _exclusiveRunning;
    private long _exclusiveTurn;
    private long _lastTurn;
    private long _lastActiveTimestamp;
    private bool _deactivationRequested;

    public ActivationData(GrainId grainId, GrainClassInfo grainClass, Catalog catalog)
    {
        GrainId = grainId;
        GrainClass = grainClass;
        Catalog = catalog;
        _lastActiveTimestamp = catalog.TimeProvider.GetTimestamp();
        _queue.Enqueue(new ActivateWorkItem(this));
    }

    public GrainId GrainId { get; }

    public GrainClassInfo GrainClass { get; }

    public Catalog Catalog { get; }

    public Grain? Instance { get; private set; }

    public long Epoch { get; internal set; }

    /// <summary>Completes when the activation has ended (deactivated, or failed to activate).</summary>
    public Task Deactivated => _deactivated.Task;

    public ActivationStatus Status
    {
        get { lock (_lock) { return _status; } }
    }

    public int QueueLength
    {
        get { lock (_lock) { return _queue.Count; } }
    }

    /// <summary>
    /// Starts or queues a call. False when this activation is gone (the catalog then makes a new one).
    /// </summary>
    public bool TryInvoke<TGrainInterface, TResult, TInvocation>(in TInvocation invocation, CallChain? chain, out Task<TResult> task)
        where TGrainInterface : IGrainWithStringKey
        where TInvocation : struct, IGrainInvocation<TGrainInterface, TResult>
    {
        var readOnly = invocation.Method.IsReadOnly;
        long turn;
        lock (_lock)
        {
            if (_status == ActivationStatus.Invalid)
            {
                task = null!;
                return false;
            }

            if (_status == ActivationStatus.Valid && _queue.Count == 0 && CanStartLocked(readOnly))
            {
                turn = StartTurnLocked(readOnly);
            }
            else
            {
                ThrowIfCycleLocked(chain, invocation.Method);
                var item = new InvocationWorkItem<TGrainInterface, TResult, TInvocation>(this, invocation, chain);
                _queue.Enqueue(item);
                ScheduleLocked();
                task = item.Task;
                return true;
            }
        }

        task = RunInline<TGrainInterface, TResult, TInvocation>(invocation, chain, turn);
        return true;
    }

    private Task<TResult> RunInline<TGrainInterface, TResult, TInvocation>(TInvocation invocation, CallChain? chain, long turn)
        where TGrainInterface : IGrainWithStringKey
        where TInvocation : struct, IGrainInvocation<TGrainInterface, TResult>
    {
        var started = Stopwatch.GetTimestamp();
        Task<TResult> task;
        var previous = CallChain.Current;
        CallChain.Current = new CallChain(this, turn, chain);
        try
        {
            task = invocation.InvokeAsync((TGrainInterface)(object)Instance!);
        }
        catch (Exception e)
        {
            task = Task.FromException<TResult>(e);
        }
        finally
        {
            CallChain.Current = previous;
        }

        if (task.IsCompleted)
        {
            EndTurn(turn, invocation.Method, started);
            return task;
        }

        return AwaitTurnAsync(task, turn, invocation.Method, started);
    }

    private async Task<TResult> AwaitTurnAsync<TResult>(Task<TResult> task, long turn, GrainMethod method, long started)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        finally
        {
            EndTurn(turn, method, started);
        }
    }

    /// <summary>Ends a call's turn: records it and starts whatever can run next.</summary>
    internal void EndTurn(long turn, GrainMethod method, long started)
    {
        RuntimeInstruments.RecordCall(GrainId.Type, method, started);
        EndTurn(turn, method.IsReadOnly, countsAsActivity: true);
    }

    internal void EndTurn(long turn, bool readOnly, bool countsAsActivity)
    {
        lock (_lock)
        {
            if (readOnly)
            {
                _readOnlyTurns.Remove(turn);
            }
            else
            {
                _exclusiveRunning = false;
            }

            if (countsAsActivity)
            {
                _lastActiveTimestamp = Catalog.TimeProvider.GetTimestamp();
            }

            if (_deactivationRequested && _status == ActivationStatus.Valid && _queue.Count == 0 && IsIdleLocked())
            {
                BeginDeactivationLocked(DeactivationReason.Requested);
            }

            ScheduleLocked();
        }
    }

    private bool CanStartLocked(bool readOnly) =>
        !_exclusiveRunning && (readOnly || _readOnlyTurns.Count == 0);

    private bool IsIdleLocked() => !_exclusiveRunning && _readOnlyTurns.Count == 0;

    private long StartTurnLocked(bool readOnly)
    {
        var turn = ++_lastTurn;
        if (readOnly)
        {
            _readOnlyTurns.Add(turn);
        }
        else
        {
            _exclusiveRunning = true;
            _exclusiveTurn = turn;
        }

        return turn;
    }

    /// <summary>Starts queued turns while the head of the queue may run.</summary>
    private void ScheduleLocked()
    {
        while (_status != ActivationStatus.Invalid && _queue.TryPeek(out var next) && CanStartLocked(next.IsReadOnly))
        {
            _queue.Dequeue();
            next.Turn = StartTurnLocked(next.IsReadOnly);
            ThreadPool.UnsafeQueueUserWorkItem(next, preferLocal: false);
            if (!next.IsReadOnly)
            {
                return;
            }
        }
    }

    /// <summary>A queued call whose chain already holds a running turn of this activation would wait for itself.</summary>
    private void ThrowIfCycleLocked(CallChain? chain, GrainMethod method)
    {
        for (var node = chain; node is not null; node = node.Parent)
        {
            if (node.Activation == this
                && ((_exclusiveRunning && node.Turn == _exclusiveTurn) || _readOnlyTurns.Contains(node.Turn)))
            {
                throw new GrainCallCycleException(chain!.Describe(GrainId), method);
            }
        }
    }
}
