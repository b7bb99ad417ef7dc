namespace SentinelSync.Replication.Erasure;

/// <summary>
/// A destination that can erase one row on request (right to erasure), beside the changes it applies.
/// </summary>
/// <remarks>
/// <see cref="EraseAsync"/> removes every stored trace of the row whose key <paramref name="delete"/> carries in
/// <see cref="RowChange.OldKey"/> (the change is a <see cref="ChangeKind.Delete"/> as this sink sees it: transforms
/// applied, renamed key columns under their new names). It is fenced like a batch (a newer epoch:
/// <see cref="Sinks.SinkFencedException"/>, nothing removed), never moves the stored offset, and may be called again
/// (a second call finds nothing left and returns 0). It returns what it removed: rows, or row versions where the
/// destination keeps several (ClickHouse), or messages published (Kafka).
/// </remarks>
public interface IErasingSink
{
    Task<SinkErasureCount> EraseAsync(RowChange delete, string sinkName, long epoch, CancellationToken cancellationToken = default);
}
