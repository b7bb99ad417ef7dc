namespace SentinelSync.Runtime;

/// <summary>A grain timer: each due tick is queued as a turn, unless the previous tick has not finished.</summary>
internal sealed class GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback) : IDisposable
{
    private ITimer? _timer;
    private int _tickPending;
    private bool _disposed;

    public Func<CancellationToken, Task> Callback { get; } = callback;

    public void Start(TimeProvider timeProvider, TimeSpan dueTime, TimeSpan period)
    {
        _timer = timeProvider.CreateTimer(static state => ((GrainTimer)state!).OnTick(), this, dueTime, period);
    }

    private void OnTick()
    {
        if (Volatile.Read(ref _disposed) || Interlocked.Exchange(ref _tickPending, 1) == 1)
        {
            return;
        }

        if (!activation.TryEnqueueTimerTick(new TimerWorkItem(activation, this)))
        {
            Volatile.Write(ref _tickPending, 0);
        }
    }

    public void TickCompleted() => Volatile.Write(ref _tickPending, 0);

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _timer?.Dispose();
        activation.RemoveTimer(this);
    }
}
