using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Kafka.Source;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Resync;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// Hosts the run of a pipeline's source (<see cref="SourceRunner"/>) for as long as it is active: starts it on
/// activation, restarts it with growing backoff when it fails, and on deactivation (graceful stop or
/// rebalancing) stops reading, lets the sinks apply what they hold, confirms it and stops the table grains.
/// Placed by rendezvous hashing, so that pipelines spread over the silos; fenced, so that a second activation
/// (Orleans' directory converges only eventually) cannot write its state.
/// </summary>
[GrainType(GrainType)]
[RendezvousPlacement]
public sealed partial class SourceGrain(
    [PersistentState("source", FencedGrainStorage.Name)] IPersistentState<SourceState> state,
    PipelineRegistry pipelines,
    LocalSources localSources,
    ILocalSiloDetails silo,
    GrainLeases leases,
    ActivationEpochs epochs,
    ILogger<SourceGrain> logger) : FencedGrain(leases, epochs), ISourceGrain
{
    /// <summary>The grain type name (in grain ids, <c>/api/grains/Source/...</c> and the control database).</summary>
    public const string GrainType = "Source";

    private IPersistentState<SourceState> _state = null!;
    private SourceRunner? _runner;
    private KafkaSourceCoordinator? _kafka;
    private Task _run = Task.CompletedTask;
    private CancellationTokenSource _abort = new();
    private DateTimeOffset _nextStart;
    private TimeSpan _backoff = TimeSpan.FromSeconds(1);
    private string? _lastError;

    protected override async Task OnLeasedAsync(CancellationToken cancellationToken)
    {
        // Orleans read the state before the lease was ours: a previous owner may have written since (it drained).
        await state.ReadStateAsync(cancellationToken);
        _state = new GrainBoundState<SourceState>(state);
        localSources.Add(this.GetGrainId());
        if (!_state.State.Paused)
        {
            Start();
        }
    }

    protected override async Task OnReleasingAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            if (_state is { State.Paused: false })
            {
                await StopRunAsync();
            }
        }
        finally
        {
            localSources.Remove(this.GetGrainId());
        }
    }

    /// <summary>Stops reading, lets the sinks apply what they hold, confirms it and stops the table grains.</summary>
    private async Task StopRunAsync()
    {
        if (_runner is { } runner && !_run.IsCompleted)
        {
            try
            {
                await runner.StopAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception e)
            {
                LogStopFailed(logger, Key, e);
            }
        }

        await _abort.CancelAsync();
        await _run;
        foreach (var table in _runner?.Tables ?? [])
        {
            try
            {
                await GrainFactory.GetGrain<ITableGrain>(GrainKeys.Table(Key, table)).StopAsync();
            }
            catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException)
            {
                // The silo is stopping and already deactivated that table's grains.
            }
        }
    }

    public Task StopAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task MoveAsync(string owner)
    {
        if (silo.Name != owner)
        {
            MigrateOnIdle();
        }

        return Task.CompletedTask;
    }

    public async Task PauseAsync()
    {
        if (_state.State.Paused)
        {
            return;
        }

        // The run ends before the flag is written: the runner writes this state too, and must not race us.
        await StopRunAsync();
        _state.State.Paused = true;
        await _state.WriteStateAsync();
        if (_kafka is not null)
        {
            // A Kafka pipeline's partitions run on their own grains, all over the cluster: stop them too.
            await _kafka.StopPartitionsAsync();
        }

        LogPaused(logger, Key);
    }

    public async Task ResumeAsync()
    {
        if (!_state.State.Paused)
        {
            return;
        }

        _state.State.Paused = false;
        await _state.WriteStateAsync();
        _lastError = null;
        _backoff = TimeSpan.FromSeconds(1);
        LogResumed(logger, Key);
        Start();
    }

    public async Task<TableProgress[]> GetTableProgressAsync() =>
        _state.State.Paused || _runner is null
            ? []
            : await Task.WhenAll(_runner.Tables.Select(t => GrainFactory.GetGrain<ITableGrain>(GrainKeys.Table(Key, t)).GetProgressAsync()));

    public Task<ResyncStatus> ResyncAsync(string table)
    {
        if (_kafka is not null)
        {
            throw new ResyncRejectedException($"Pipeline {Key} reads Kafka: a table is resynced by replaying its topic, not by the pipeline.");
        }

        if (_state.State.Paused)
        {
            throw new ResyncRejectedException($"Pipeline {Key} is paused; resume it before resyncing a table.");
        }

        if (_runner is null || _run.IsCompleted)
        {
            throw new ResyncRejectedException($"Pipeline {Key} is not running{(_lastError is null ? "" : $" (last error: {_lastError})")}; a table can be resynced once it streams.");
        }

        return _runner.StartResyncAsync(table);
    }

    public Task<RepairStatus> RepairAsync(string table, string[][] keys)
    {
        if (_state.State.Paused)
        {
            throw new ResyncRejectedException($"Pipeline {Key} is paused; resume it before repairing rows.");
        }

        if (_runner is null || _run.IsCompleted)
        {
            throw new ResyncRejectedException($"Pipeline {Key} is not running{(_lastError is null ? "" : $" (last error: {_lastError})")}; rows can be repaired once it streams.");
        }

        return Task.FromResult(_runner.StartRepair(table, keys));
    }

    public Task<RepairStatus?> GetRepairAsync(string id) => Task.FromResult(_runner?.GetRepair(id));

    public Task<ResyncStatus[]> GetResyncsAsync() => Task.FromResult(_runner?.Resyncs.ToArray() ?? []);

    public Task EnsureRunningAsync()
    {
        if (!_state.State.Paused && _run.IsCompleted && DateTimeOffset.UtcNow >= _nextStart)
        {
            Start();
        }

        return Task.CompletedTask;
    }

    public async Task<KafkaPartitionStatus[]> GetKafkaPartitionsAsync() =>
        _kafka is { Phase: "streaming" } kafka && !_state.State.Paused && !_run.IsCompleted ? await kafka.StatusesAsync() : [];

    public Task<SourceStatus> GetStatusAsync() => Task.FromResult(new SourceStatus(
        Key,
        silo.Name,
        _state.State.Paused ? "paused" : _run.IsCompleted && (_kafka?.Phase ?? _runner?.Phase) != "stopped" ? "failed" : _kafka?.Phase ?? _runner?.Phase ?? "starting",
        _lastError,
        _state.State.SnapshotAttempt,
        _state.State.SnapshotCompleted,
        _runner?.ConfirmedLsn ?? 0,
        _runner?.ReceivedLsn ?? 0,
        _kafka?.Partitions ?? [.. (_runner?.Tables ?? []).Select(t => t.ToString())],
        [.. (_runner?.StoppedTables ?? []).Select(t => t.ToString())]));

    private void Start()
    {
        var config = pipelines.Get(Key);
        _abort = new CancellationTokenSource();
        var abort = _abort.Token;
        Func<Task> run;
        if (config.Source!.Kafka is { } kafka)
        {
            var coordinator = _kafka = new KafkaSourceCoordinator(Key, kafka, GrainFactory, logger);
            run = () => coordinator.RunAsync(abort);
        }
        else
        {
            var queueLimit = SourceRunner.StreamQueueLimit(config.Sinks.Select(PipelineRegistry.MaxBatchChanges));
            var runner = _runner = new SourceRunner(Key, config.Source!.Postgres!, GrainFactory, _state, logger, queueLimit);
            run = () => runner.RunAsync(abort);
        }

        var started = DateTimeOffset.UtcNow;
        _run = CallCycleFilter.RunDetached(run).ContinueWith(
            run =>
            {
                if (run.Exception?.GetBaseException() is { } error)
                {
                    // Healthy runs reset the backoff; repeated failures wait up to a minute between attempts.
                    _backoff = DateTimeOffset.UtcNow - started > TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
                    _nextStart = DateTimeOffset.UtcNow + _backoff;
                    _lastError = ErrorText.Describe(error);
                    LogRunFailed(logger, Key, _backoff.TotalSeconds, error);
                }
            },
            TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: the graceful stop did not complete; unconfirmed changes are streamed again on restart")]
    private static partial void LogStopFailed(ILogger logger, string pipeline, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline} failed; restarting in {Seconds} s")]
    private static partial void LogRunFailed(ILogger logger, string pipeline, double seconds, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline} paused; its slot is kept")]
    private static partial void LogPaused(ILogger logger, string pipeline);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline} resumed")]
    private static partial void LogResumed(ILogger logger, string pipeline);
}
