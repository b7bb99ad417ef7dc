using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Reconcile;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// Runs a pipeline's reconciles (<see cref="ReconcileRun"/>) one at a time, in the background of this activation,
/// and its schedule: a reminder ticks every minute on one silo of the cluster (Orleans' reminder service, on the
/// control database, so it survives silo restarts); a tick that finds a cron occurrence of the last
/// <see cref="MissedOccurrenceGrace"/> not run yet starts it. The run's row is keyed by the occurrence, so it runs
/// once even if two silos briefly host this grain.
/// </summary>
[GrainType(GrainType)]
public sealed partial class ReconcileGrain(
    PipelineRegistry pipelines,
    ReconcileStore store,
    ILocalSiloDetails silo,
    ILogger<ReconcileGrain> logger) : Grain, IReconcileGrain, IRemindable
{
    public const string GrainType = "Reconcile";

    private const string ReminderName = "reconcile-schedule";

    /// <summary>An occurrence found later than this after its time (the cluster was down) is skipped.</summary>
    internal static TimeSpan MissedOccurrenceGrace { get; } = TimeSpan.FromMinutes(5);

    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private string? _runId;

    private string Pipeline => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Runs recorded as running belong to an activation that is gone (its silo died or stopped).
        await store.InterruptRunningAsync(Pipeline, cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public async Task<ReconcileRunInfo> StartAsync(ReconcileRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Problem() is { } problem)
        {
            throw new ReconcileException(problem);
        }

        if (pipelines.Pipelines.All(p => p.Name != Pipeline))
        {
            throw new ReconcileException($"No pipeline '{Pipeline}' in this silo's configuration.");
        }

        // A run writes its final state before its task ends: give a run that just ended the moment to finish.
        await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(2)));
        if (!_run.IsCompleted)
        {
            throw new ReconcileException($"A reconcile of pipeline {Pipeline} is under way ({_runId}); follow it with sentinel reconcile status.");
        }

        var id = "rc-" + Guid.NewGuid().ToString("N")[..12];
        if (!await store.StartAsync(id, Pipeline, request, silo.Name, CancellationToken.None))
        {
            return new ReconcileRunInfo(id, Pipeline, "skipped");
        }

        _runId = id;
        var run = new ReconcileRun(id, Pipeline, request, pipelines, GrainFactory, store, logger);
        var token = _stop.Token;
        _run = Task.Run(() => run.RunAsync(token), CancellationToken.None);

        // A long run makes no grain calls: keep the activation (and so the run) from being collected as idle.
        DelayDeactivation(TimeSpan.FromHours(12));
        LogStarted(logger, Pipeline, id, request.Mode, request.Repair);
        return new ReconcileRunInfo(id, Pipeline, "running");
    }

    public async Task EnsureScheduledAsync()
    {
        if (pipelines.Get(Pipeline).Reconcile?.Cron is not null)
        {
            await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        else if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var schedule = pipelines.Get(Pipeline).Reconcile;
        if (reminderName != ReminderName || schedule?.Cron is not { } cron)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var due = cron.GetOccurrences(now - MissedOccurrenceGrace, now, TimeZoneInfo.Utc, fromInclusive: true, toInclusive: true).LastOrDefault();
        if (due == default || !_run.IsCompleted)
        {
            return;
        }

        try
        {
            var info = await StartAsync(new ReconcileRequest([], null, schedule.Mode, schedule.Repair, due));
            if (info.Status != "skipped")
            {
                LogScheduled(logger, Pipeline, info.Id, due);
            }
        }
        catch (ReconcileException e)
        {
            LogScheduleFailed(logger, Pipeline, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconcile {RunId} of pipeline {Pipeline} started (mode {Mode}, repair {Repair})")]
    private static partial void LogStarted(ILogger logger, string pipeline, string runId, ReconcileMode mode, bool repair);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconcile {RunId} of pipeline {Pipeline} is the scheduled run of {Occurrence:u}")]
    private static partial void LogScheduled(ILogger logger, string pipeline, string runId, DateTimeOffset occurrence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scheduled reconcile of pipeline {Pipeline} could not start")]
    private static partial void LogScheduleFailed(ILogger logger, string pipeline, Exception error);
}
