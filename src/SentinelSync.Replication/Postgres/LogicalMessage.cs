namespace SentinelSync.Replication.Postgres;

/// <summary>
/// A transactional message written at the source with <c>pg_logical_emit_message(true, prefix, content)</c>,
/// delivered in commit order among the changes; <see cref="CommitLsn"/> is its transaction's commit LSN.
/// </summary>
public sealed record LogicalMessage(string Prefix, string Content, ulong CommitLsn);
