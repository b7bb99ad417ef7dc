using Microsoft.Extensions.Logging;

namespace SentinelSync.Runtime;

/// <summary>
/// A silo's membership: it registers the silo in the <see cref="IMembershipTable"/>, writes its heartbeat, reads
/// the table on a timer to keep <see cref="ActiveSilos"/> current, and acts as the failure detector (suspicion
/// votes, then Dead). When it reads its own row as Dead, or taken by a newer incarnation, it raises
/// <see cref="DeclaredDead"/> once and stops: the silo must then stop without draining.
/// </summary>
/// <remarks>
/// <para>Clocks. A silo is suspected when the heartbeat value in its row has not <em>changed</em> for
/// <see cref="MembershipOptions.DeathTimeout"/>, measured on the observer's own monotonic clock
/// (<see cref="TimeProvider.GetTimestamp"/>) from the probe that first saw that value. Heartbeat values are
/// written with the writer's wall clock but never compared with another clock, so any skew between silos and
/// the database is tolerated; only clock <em>rates</em> matter. The price: an observer that has just started
/// needs a full DeathTimeout of observation before it can suspect anyone.</para>
/// <para>Vote ages are compared across clocks (voter's wall clock when cast, reader's when counted): a skew of
/// <c>s</c> makes a vote live <c>s</c> longer or shorter than <see cref="MembershipOptions.VoteExpiration"/>.
/// With the defaults (30 s) NTP-level skew is harmless; a skew near VoteExpiration lets stale votes count.</para>
/// <para>Votes needed: min(<see cref="MembershipOptions.VotesForDeath"/>, live silos other than the suspect that
/// this observer does not itself consider silent). Counting only non-silent silos lets a survivor evict two
/// silos that died together.</para>
/// </remarks>
public sealed partial class MembershipAgent : IClusterMembership
{
    private const int Created = 0;
    private const int Joined = 1;
    private const int Left = 2;
    private const int Dead = 3;
    private const int Abandoned = 4;

    private readonly IMembershipTable _table;
    private readonly MembershipOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _loopsLock = new();
    private readonly List<Task> _loops = [];
    private readonly Dictionary<string, Observation> _observed = new(StringComparer.Ordinal);
    private IReadOnlyList<MembershipEntry> _activeSilos = [];
    private CancellationTokenSource? _loopsStop;
    private DateTimeOffset _startedAt;
    private DateTimeOffset _lastHeartbeat;
    private int _state;
    private bool _paused;

    /// <summary>Creates the agent; nothing is written before <see cref="JoinAsync"/>.</summary>
    public MembershipAgent(IMembershipTable table, MembershipOptions options, string siloName, string siloAddress, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(siloName);
        ArgumentException.ThrowIfNullOrWhiteSpace(siloAddress);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        Validate(options);
        _table = table;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        SiloName = siloName;
        SiloAddress = siloAddress;
    }

    /// <summary>Raised (on a thread-pool thread) after <see cref="ActiveSilos"/> changed.</summary>
    public event Action? ViewChanged;

    /// <summary>Raised once when this silo finds itself Dead or replaced by a newer incarnation; heartbeats and probes have stopped.</summary>
    public event Action? DeclaredDead;

    /// <summary>This silo's name (the membership row's key).</summary>
    public string SiloName { get; }

    /// <summary>This silo's silo-to-silo endpoint.</summary>
    public string SiloAddress { get; }

    /// <summary>The Active silos as of the last read of the table, sorted by name (ordinal); includes this silo once it is Active.</summary>
    public IReadOnlyList<MembershipEntry> ActiveSilos => Volatile.Read(ref _activeSilos);

    /// <summary>True once <see cref="DeclaredDead"/> was raised.</summary>
    public bool IsDeclaredDead => Volatile.Read(ref _state) == Dead;

    /// <summary>
    /// Registers this incarnation as Joining (replacing the row of a previous incarnation of the same name), then
    /// starts heartbeats and probes. Lost compare-and-swap races are retried after a fresh read.
    /// </summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        var notes = new Notes();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.CompareExchange(ref _state, Created, Created) != Created)
            {
                throw new InvalidOperationException($"Silo {SiloName} has already joined; a new incarnation needs a new agent.");
            }

            var startedAt = MembershipTimestamps.Normalize(_time.GetUtcNow());
            while (true)
            {
                var snapshot = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
                var previous = Find(snapshot, SiloName);
                if (previous is { } p && p.Entry.StartedAt == startedAt)
                {
                    // The old incarnation recognises its replacement by a different StartedAt.
                    startedAt += MembershipTimestamps.Resolution;
                }

                var entry = new MembershipEntry(SiloName, SiloAddress, startedAt, SiloStatus.Joining, startedAt, []);
                var written = previous is { } old
                    ? await _table.UpdateRowAsync(entry, old.Etag, snapshot.Version, cancellationToken).ConfigureAwait(false)
                    : await _table.InsertRowAsync(entry, snapshot.Version, cancellationToken).ConfigureAwait(false);
                if (written)
                {
                    LogJoined(_logger, SiloName, SiloAddress, startedAt, previous is not null);
                    break;
                }

                LogLostRace(_logger, SiloName, "join");
            }

            _startedAt = startedAt;
            _lastHeartbeat = startedAt;
            Volatile.Write(ref _state, Joined);
            notes = await ProbeCoreAsync(cancellationToken).ConfigureAwait(false);
            StartLoops(probeNow: false);
        }
        finally
        {
            _gate.Release();
        }

        Raise(notes);
    }

    /// <summary>Moves this silo from Joining to Active. Throws if the silo was declared dead meanwhile.</summary>
    public async Task BecomeActiveAsync(CancellationToken cancellationToken)
    {
        if (!await UpdateOwnStatusAsync(SiloStatus.Active, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Silo {SiloName} was declared dead before it became active.");
        }
    }

    /// <summary>Moves this silo to ShuttingDown (start of a graceful stop: placement stops choosing it). Heartbeats go on.</summary>
    public Task ShutDownAsync(CancellationToken cancellationToken) => UpdateOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken);

    /// <summary>Marks this silo Dead (end of a graceful stop) and stops heartbeats and probes; <see cref="DeclaredDead"/> is not raised.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (await UpdateOwnStatusAsync(SiloStatus.Dead, cancellationToken).ConfigureAwait(false))
        {
            LogLeft(_logger, SiloName);
        }
    }

    /// <summary>Reads the table now: refreshes the view and runs failure detection, as a probe tick does.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        Notes notes;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            notes = Volatile.Read(ref _state) == Joined ? await ProbeCoreAsync(cancellationToken).ConfigureAwait(false) : default;
        }
        finally
        {
            _gate.Release();
        }

        Raise(notes);
    }

    /// <summary>For tests: stops heartbeats and probes while the process keeps running (a long GC pause, a partition).</summary>
    public void Pause()
    {
        lock (_loopsLock)
        {
            _paused = true;
            StopLoops();
        }
    }

    /// <summary>For tests: ends a <see cref="Pause"/>; the first thing the agent does is read the table (and so learn whether it was declared dead).</summary>
    public void Resume()
    {
        lock (_loopsLock)
        {
            if (_paused && Volatile.Read(ref _state) == Joined)
            {
                _paused = false;
                StartLoops(probeNow: true);
            }
        }
    }

    /// <summary>For tests: an abrupt kill. Timers stop and nothing more is written; the row stays as it is.</summary>
    public void Abandon()
    {
        Volatile.Write(ref _state, Abandoned);
        StopLoops();
    }

    /// <summary>Stops heartbeats and probes and waits for them; writes nothing (a graceful stop calls <see cref="LeaveAsync"/> first).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) is Created or Joined)
        {
            Volatile.Write(ref _state, Abandoned);
        }

        StopLoops();
        Task[] loops;
        lock (_loopsLock)
        {
            loops = [.. _loops];
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private static void Validate(MembershipOptions options)
    {
        if (options.HeartbeatInterval <= TimeSpan.Zero || options.ProbeInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("silo.membership: heartbeatInterval and probeInterval must be positive.", nameof(options));
        }

        if (options.DeathTimeout <= options.HeartbeatInterval)
        {
            throw new ArgumentException("silo.membership: deathTimeout must be longer than heartbeatInterval.", nameof(options));
        }

        if (options.VoteExpiration <= options.ProbeInterval || options.VotesForDeath < 1)
        {
            throw new ArgumentException("silo.membership: voteExpiration must be longer than probeInterval and votesForDeath at least 1.", nameof(options));
        }
    }

    private static (MembershipEntry Entry, string Etag)? Find(MembershipSnapshot snapshot, string name)
    {
        foreach (var row in snapshot.Rows)
        {
            if (string.Equals(row.Entry.Name, name, StringComparison.Ordinal))
            {
                return row;
            }
        }

        return null;
    }

    private static bool IsLive(SiloStatus status) => status is SiloStatus.Joining or SiloStatus.Active or SiloStatus.ShuttingDown;

    private void Raise(Notes notes)
    {
        if (notes.ViewChanged)
        {
            Invoke(ViewChanged, nameof(ViewChanged));
        }

        if (notes.DeclaredDead)
        {
            Invoke(DeclaredDead, nameof(DeclaredDead));
        }
    }

    private void Invoke(Action? handler, string name)
    {
        try
        {
            handler?.Invoke();
        }
        catch (Exception ex)
        {
            // A failing subscriber must not stop the failure detector; it is reported, not hidden.
            LogHandlerFailed(_logger, SiloName, name, ex);
        }
    }

    private readonly record struct Notes(bool ViewChanged, bool DeclaredDead);

    private readonly record struct Observation(DateTimeOffset StartedAt, DateTimeOffset Heartbeat, long FirstSeen);
}
