namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// A sink that takes snapshot rows in COPY text form (<see cref="ChangeBatch.Copy"/>) without parsing them, in
/// several destination transactions at once. Contract of <see cref="ApplyCopyAsync"/>:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Applies the rows of one copy exactly once for <c>sinkName</c>, whatever other copies of the same table run
/// concurrently: a copy already applied (a retry after a commit whose answer was lost) changes nothing. It does not
/// move the stored position; the batch marked <see cref="ChangeBatch.EndsSnapshot"/>, applied through
/// <see cref="ISink.ApplyAsync"/> after every copy, does.</item>
/// <item>Fenced like <see cref="ISink.ApplyAsync"/>: a lower epoch than one that already wrote fails with
/// <see cref="Sinks.SinkFencedException"/> and changes nothing.</item>
/// <item>Failures are classified by <see cref="ISink.IsTransient"/>; a copy that fails for good changed nothing and
/// is applied again as ordinary changes, so that the failing row can be found and dead-lettered.</item>
/// </list>
/// </remarks>
public interface ISnapshotCopySink
{
    Task ApplyCopyAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Characters of COPY text the sink prefers in one copy: consecutive queued copies of a table (adjacent positions,
    /// one schema) are merged into one copy of up to this many. 0, the default: each copy as the source cut it.
    /// </summary>
    int MergeCopiesUpToChars => 0;
}
