namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// What to reconcile: the pipeline's tables (<c>schema.table</c> or bare names in <c>public</c>; empty: all) at its
/// sinks (<see cref="Sink"/> null: all), how deeply, and whether to repair what drifted.
/// <see cref="ScheduledFor"/> is the cron occurrence of a scheduled run (null for a manual one).
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record ReconcileRequest(
    [property: Id(0)] string[] Tables,
    [property: Id(1)] string? Sink,
    [property: Id(2)] ReconcileMode Mode,
    [property: Id(3)] bool Repair,
    [property: Id(4)] DateTimeOffset? ScheduledFor = null)
{
    /// <summary>The request's problem, or null when it can run.</summary>
    public string? Problem() =>
        Repair && Mode == ReconcileMode.Count
            ? "--repair needs keys: use mode checksum or rows (count mode only compares row counts)."
            : null;
}
