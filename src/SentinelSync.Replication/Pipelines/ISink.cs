namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// A destination behind a sink grain (Postgres, ClickHouse, ...). The contract every implementation keeps:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="ApplyAsync"/> applies a batch of one source table exactly once for <c>sinkName</c>: changes at
/// or below the durably stored position are skipped; the rest are applied and the new position stored, both
/// durably, before it returns that position. A retry of a failed call with the same batch is always safe.</item>
/// <item>Writes are fenced: a call with an <c>epoch</c> lower than one that already wrote fails with
/// <see cref="Sinks.SinkFencedException"/> and changes nothing.</item>
/// <item><see cref="ReplayAsync"/> applies dead-lettered changes whatever the stored position, without moving it.</item>
/// <item><see cref="IsTransient"/> says whether an exception thrown by the two is worth retrying (connection
/// loss, server down, deadlock) or permanent for this change (constraint, conversion).</item>
/// </list>
/// </remarks>
public interface ISink : IAsyncDisposable
{
    Task<Position> ApplyAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default);

    Task ReplayAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default);

    bool IsTransient(Exception exception);

    /// <summary>
    /// The least time between the starts of two streamed applies of one table: the sink grain waits out the rest of it
    /// before taking its next streamed batch (unless a full batch is queued), so a table busy enough to queue changes
    /// behind each apply reaches the destination in fewer, larger ones, while a change after a quiet spell is applied
    /// at once. Zero (the default): apply as soon as changes are queued.
    /// </summary>
    TimeSpan MinApplyInterval => TimeSpan.Zero;
}
