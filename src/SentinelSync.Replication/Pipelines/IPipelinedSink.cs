namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// A sink that keeps several batches of one table in flight: <see cref="SendAsync"/> hands a batch to the destination
/// and returns with the task of its acknowledgement, so that the next batch is sent while earlier ones wait for theirs.
/// Contract:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Batches are sent in call order (one caller per sink and table). The returned task completes, with the position
/// applied, once the batch is durable at the destination and every batch sent before it completed: acknowledgements
/// come in order, and only then may the caller count the batch as applied.</item>
/// <item>When a batch fails, its task fails, and so does the task of every batch sent after it; nothing of theirs counts
/// as applied. The caller waits for all of them, then applies them again through <see cref="ISink.ApplyAsync"/>, in
/// order (which skips what is stored and retries, narrows and dead-letters as usual); what had reached the
/// destination is then there twice, the at-least-once of <see cref="ISink.ApplyAsync"/> after a partial failure.</item>
/// <item>Fenced like <see cref="ISink.ApplyAsync"/>: a lower epoch than one that already wrote fails with
/// <see cref="Sinks.SinkFencedException"/>.</item>
/// <item>With <see cref="CanPipeline"/> false the sink takes batches through <see cref="ISink.ApplyAsync"/> only.</item>
/// </list>
/// </remarks>
public interface IPipelinedSink
{
    bool CanPipeline { get; }

    Task<Task<Position>> SendAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default);
}
