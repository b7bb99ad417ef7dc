namespace SentinelSync.Runtime;

/// <summary>Probes, failure detection, own status changes and the timer loops of <see cref="MembershipAgent"/>.</summary>
public sealed partial class MembershipAgent
{
    /// <summary>One probe; the caller holds the gate and raises the returned notifications after releasing it.</summary>
    private async Task<Notes> ProbeCoreAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var notes = Apply(snapshot);
        if (!notes.DeclaredDead && Volatile.Read(ref _state) == Joined)
        {
            await DetectFailuresAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }

        return notes;
    }

    /// <summary>Refreshes the view from <paramref name="snapshot"/> and checks this silo's own row.</summary>
    private Notes Apply(MembershipSnapshot snapshot)
    {
        var active = snapshot.Rows
            .Select(r => r.Entry)
            .Where(e => e.Status == SiloStatus.Active)
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        var previous = ActiveSilos;
        var viewChanged = !active.Select(Identity).SequenceEqual(previous.Select(Identity));
        if (viewChanged)
        {
            Volatile.Write(ref _activeSilos, active);
            LogViewChanged(_logger, SiloName, active.Count, string.Join(",", active.Select(e => e.Name)));
        }

        var own = Find(snapshot, SiloName);
        var gone = own is not { } row || row.Entry.StartedAt != _startedAt || row.Entry.Status == SiloStatus.Dead;
        var declaredDead = gone && Interlocked.CompareExchange(ref _state, Dead, Joined) == Joined;
        if (declaredDead)
        {
            LogDeclaredDead(_logger, SiloName, own?.Entry.Status, own?.Entry.StartedAt, _startedAt);
            StopLoops();
        }

        return new Notes(viewChanged, declaredDead);

        static (string, string, DateTimeOffset) Identity(MembershipEntry e) => (e.Name, e.Address, e.StartedAt);
    }

    private async Task DetectFailuresAsync(MembershipSnapshot snapshot, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var wallNow = MembershipTimestamps.Normalize(_time.GetUtcNow());
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (entry, _) in snapshot.Rows)
        {
            present.Add(entry.Name);
            if (!_observed.TryGetValue(entry.Name, out var seen) || seen.StartedAt != entry.StartedAt || seen.Heartbeat != entry.LastHeartbeat)
            {
                _observed[entry.Name] = new Observation(entry.StartedAt, entry.LastHeartbeat, now);
            }
        }

        foreach (var name in _observed.Keys.Where(n => !present.Contains(n)).ToList())
        {
            _observed.Remove(name);
        }

        var live = snapshot.Rows.Where(r => IsLive(r.Entry.Status)).ToList();
        var silent = live
            .Where(r => r.Entry.Name != SiloName && _time.GetElapsedTime(_observed[r.Entry.Name].FirstSeen, now) >= _options.DeathTimeout)
            .ToList();
        if (silent.Count == 0)
        {
            return;
        }

        var votesNeeded = Math.Min(_options.VotesForDeath, live.Count - silent.Count);
        var version = snapshot.Version;
        foreach (var (suspect, etag) in silent)
        {
            if (Volatile.Read(ref _state) != Joined)
            {
                return;
            }

            var votes = suspect.Suspicions
                .Where(v => v.Voter != SiloName && wallNow - v.At < _options.VoteExpiration)
                .ToList();
            var mine = suspect.Suspicions.FirstOrDefault(v => v.Voter == SiloName && wallNow - v.At < _options.VoteExpiration / 2);
            votes.Add(mine ?? new SuspicionVote(SiloName, wallNow));
            var dead = votes.Count >= votesNeeded;
            if (!dead && mine is not null)
            {
                // Our vote is in and still fresh: rewriting it every probe would only churn the table version.
                continue;
            }

            var updated = suspect with { Status = dead ? SiloStatus.Dead : suspect.Status, Suspicions = votes };
            if (!await _table.UpdateRowAsync(updated, etag, version, cancellationToken).ConfigureAwait(false))
            {
                LogLostRace(_logger, SiloName, "vote on " + suspect.Name);
                return;
            }

            version++;
            if (dead)
            {
                LogDeclaredOtherDead(_logger, SiloName, suspect.Name, votes.Count, votesNeeded);
            }
            else
            {
                LogVoted(_logger, SiloName, suspect.Name, votes.Count, votesNeeded);
            }
        }
    }

    /// <summary>
    /// Moves this silo's own row forward to <paramref name="target"/>, retrying lost races. Returns false (after
    /// raising <see cref="DeclaredDead"/> if that is news) when the row is Dead or belongs to a newer incarnation.
    /// </summary>
    private async Task<bool> UpdateOwnStatusAsync(SiloStatus target, CancellationToken cancellationToken)
    {
        var notes = new Notes();
        bool written;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            switch (Volatile.Read(ref _state))
            {
                case Joined:
                    break;
                case Dead:
                    // Declared dead already (DeclaredDead was raised): a graceful stop racing with it just ends.
                    return false;
                case Left when target == SiloStatus.Dead:
                    return true;
                default:
                    throw new InvalidOperationException($"Silo {SiloName} cannot move to {target}: it has not joined, or has left or been abandoned.");
            }

            while (true)
            {
                var snapshot = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
                var own = Find(snapshot, SiloName);
                if (own is not { } row || row.Entry.StartedAt != _startedAt || row.Entry.Status == SiloStatus.Dead)
                {
                    notes = Apply(snapshot);
                    written = false;
                    break;
                }

                if (row.Entry.Status >= target)
                {
                    notes = Apply(snapshot);
                    written = true;
                    break;
                }

                var updated = row.Entry with { Status = target, LastHeartbeat = NextHeartbeat() };
                if (await _table.UpdateRowAsync(updated, row.Etag, snapshot.Version, cancellationToken).ConfigureAwait(false))
                {
                    LogStatusChanged(_logger, SiloName, row.Entry.Status, target);
                    if (target == SiloStatus.Dead)
                    {
                        Volatile.Write(ref _state, Left);
                        StopLoops();
                    }

                    notes = Apply(await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false));
                    written = true;
                    break;
                }

                LogLostRace(_logger, SiloName, target.ToString());
            }
        }
        finally
        {
            _gate.Release();
        }

        Raise(notes);
        return written;
    }

    /// <summary>The next heartbeat value: the wall clock, but always later than the previous one so that observers see a change.</summary>
    private DateTimeOffset NextHeartbeat()
    {
        var now = MembershipTimestamps.Normalize(_time.GetUtcNow());
        lock (_loopsLock)
        {
            _lastHeartbeat = now > _lastHeartbeat ? now : _lastHeartbeat + MembershipTimestamps.Resolution;
            return _lastHeartbeat;
        }
    }

    private void StartLoops(bool probeNow)
    {
        lock (_loopsLock)
        {
            if (_paused || _loopsStop is not null)
            {
                return;
            }

            _loopsStop = new CancellationTokenSource();
            var stop = _loopsStop.Token;
            _loops.RemoveAll(t => t.IsCompleted);
            _loops.Add(Task.Run(() => RunHeartbeatsAsync(stop), CancellationToken.None));
            _loops.Add(Task.Run(() => RunProbesAsync(probeNow, stop), CancellationToken.None));
        }
    }

    private void StopLoops()
    {
        lock (_loopsLock)
        {
            _loopsStop?.Cancel();
            _loopsStop?.Dispose();
            _loopsStop = null;
        }
    }

    private async Task RunHeartbeatsAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await _table.UpdateIAmAliveAsync(SiloName, NextHeartbeat(), stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    LogHeartbeatFailed(_logger, SiloName, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by Pause, Leave, Abandon, Dispose or self-death: the normal way out.
        }
    }

    private async Task RunProbesAsync(bool probeNow, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.ProbeInterval, _time);
        try
        {
            if (probeNow)
            {
                await ProbeOnceAsync(stop).ConfigureAwait(false);
            }

            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await ProbeOnceAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by Pause, Leave, Abandon, Dispose or self-death: the normal way out.
        }
    }

    private async Task ProbeOnceAsync(CancellationToken stop)
    {
        try
        {
            await RefreshAsync(stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            LogProbeFailed(_logger, SiloName, ex);
        }
    }
}
