namespace SentinelSync.Runtime;

/// <summary>Activation, deactivation and timers of an activation.</summary>
internal sealed partial class ActivationData
{
    /// <summary>The first turn: build the grain, read its state, run OnActivateAsync.</summary>
    internal async Task ActivateAsync(long turn)
    {
        try
        {
            Epoch = await AcquireLeaseAsync().ConfigureAwait(false);
            var instance = Catalog.CreateInstance(this, out var states);
            foreach (var state in states)
            {
                await state.ReadStateAsync(Catalog.ShutdownToken).ConfigureAwait(false);
            }

            Instance = instance;
            CallChain.Current = new CallChain(this, turn, null);
            await instance.OnActivateAsync(Catalog.ShutdownToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Catalog.LogActivationFailed(GrainId, e);
            FailActivation(e);
            return;
        }

        lock (_lock)
        {
            _status = ActivationStatus.Valid;
        }

        RuntimeInstruments.ActivationStarted(GrainId.Type);
        Catalog.LogActivated(GrainId, Epoch);
        EndTurn(turn, readOnly: false, countsAsActivity: true);
    }

    /// <summary>
    /// Takes the grain's lease. While another live silo still holds it (it is draining the grain after a
    /// membership change), waits with backoff up to the cluster's lease wait timeout.
    /// </summary>
    private async Task<long> AcquireLeaseAsync()
    {
        var started = Catalog.TimeProvider.GetTimestamp();
        var patience = Catalog.ClusterOptions?.LeaseWaitTimeout ?? TimeSpan.Zero;
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            try
            {
                return await Catalog.Leases.AcquireAsync(GrainId, Catalog.ShutdownToken).ConfigureAwait(false);
            }
            catch (GrainLeaseHeldException) when (Catalog.TimeProvider.GetElapsedTime(started) < patience)
            {
                await Task.Delay(pause, Catalog.TimeProvider, Catalog.ShutdownToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
            }
        }
    }

    private void FailActivation(Exception error)
    {
        List<WorkItem> waiting;
        lock (_lock)
        {
            _status = ActivationStatus.Invalid;
            _exclusiveRunning = false;
            waiting = [.. _queue];
            _queue.Clear();
        }

        Catalog.Remove(this);
        foreach (var item in waiting)
        {
            item.Fail(error);
        }

        _ = ReleaseLeaseAsync();
    }

    /// <summary>Starts deactivation unless it already began. In-flight and queued calls run first.</summary>
    public Task DeactivateAsync(DeactivationReason reason)
    {
        lock (_lock)
        {
            if (_status is ActivationStatus.Activating or ActivationStatus.Valid)
            {
                BeginDeactivationLocked(reason);
                ScheduleLocked();
            }
        }

        return Deactivated;
    }

    /// <summary>Deactivates if nothing ran for <paramref name="idleTimeout"/>. Called by the catalog's collector.</summary>
    public void DeactivateIfIdle(TimeSpan idleTimeout)
    {
        lock (_lock)
        {
            if (_status == ActivationStatus.Valid && _queue.Count == 0 && IsIdleLocked()
                && Catalog.TimeProvider.GetElapsedTime(_lastActiveTimestamp) >= idleTimeout)
            {
                BeginDeactivationLocked(DeactivationReason.Idle);
                ScheduleLocked();
            }
        }
    }

    public void RequestDeactivation()
    {
        lock (_lock)
        {
            _deactivationRequested = true;
        }
    }

    private void BeginDeactivationLocked(DeactivationReason reason)
    {
        _status = ActivationStatus.Deactivating;
        _queue.Enqueue(new DeactivateWorkItem(this, reason));
    }

    /// <summary>The last turn: stop timers, run OnDeactivateAsync, leave the catalog, hand queued calls on.</summary>
    internal async Task RunDeactivationAsync(DeactivationReason reason)
    {
        foreach (var timer in TakeTimers())
        {
            timer.Dispose();
        }

        var instance = Instance;
        if (instance is not null)
        {
            try
            {
                CallChain.Current = null;
                await instance.OnDeactivateAsync(reason, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Catalog.LogDeactivationFailed(GrainId, e);
            }

            RuntimeInstruments.ActivationStopped(GrainId.Type);
        }

        List<WorkItem> waiting;
        lock (_lock)
        {
            _status = ActivationStatus.Invalid;
            _exclusiveRunning = false;
            waiting = [.. _queue];
            _queue.Clear();
        }

        Catalog.Remove(this);
        await ReleaseLeaseAsync().ConfigureAwait(false);
        Catalog.LogDeactivated(GrainId, reason);
        _deactivated.TrySetResult();
        foreach (var item in waiting)
        {
            item.Forward();
        }
    }

    private async Task ReleaseLeaseAsync()
    {
        try
        {
            await Catalog.Leases.ReleaseAsync(GrainId, Epoch).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Catalog.LogLeaseReleaseFailed(GrainId, e);
        }
        finally
        {
            _deactivated.TrySetResult();
        }
    }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback);
        lock (_lock)
        {
            if (_status is ActivationStatus.Deactivating or ActivationStatus.Invalid)
            {
                throw new InvalidOperationException($"Grain {GrainId} is deactivating: no new timers.");
            }

            _timers.Add(timer);
        }

        timer.Start(Catalog.TimeProvider, dueTime, period);
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private List<GrainTimer> TakeTimers()
    {
        lock (_lock)
        {
            List<GrainTimer> timers = [.. _timers];
            _timers.Clear();
            return timers;
        }
    }

    /// <summary>Queues a timer tick as a turn; false when the activation no longer takes turns.</summary>
    internal bool TryEnqueueTimerTick(TimerWorkItem tick)
    {
        lock (_lock)
        {
            if (_status != ActivationStatus.Valid)
            {
                return false;
            }

            _queue.Enqueue(tick);
            ScheduleLocked();
            return true;
        }
    }
}
