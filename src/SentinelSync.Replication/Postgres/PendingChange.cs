namespace SentinelSync.Replication.Postgres;

/// <summary>
/// A decoded change not yet given a position: streamed (in-progress) transactions learn their commit LSN only
/// at StreamCommit. <see cref="Xid"/> is the (sub)transaction that made it, so a subtransaction abort can
/// discard its changes.
/// </summary>
internal readonly record struct PendingChange(TableSchema Schema, ChangeKind Kind, ColumnValue[] Values, ColumnValue[]? OldKey, uint Xid)
{
    /// <summary>The change at its position, with its top-level transaction's id and commit time (for envelopes such as Debezium's).</summary>
    public RowChange At(Position position, uint transactionId = 0, DateTimeOffset? commitTime = null) =>
        new(Kind, position, Schema, Values, OldKey) { TransactionId = transactionId, CommitTime = commitTime };
}
