namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// The rule that gives every write its <c>USING TIMESTAMP</c>: per source table, in source order, a change gets
/// <c>max(previous + 1, commit LSN)</c>. <c>previous</c> starts at the highest timestamp any attempt of this sink
/// reserved for the table (stored in <c>sentinel_offsets.reserved_timestamp</c> before the writes of a batch), so:
/// timestamps strictly grow with the position within an attempt; a redone or replayed change always carries a higher
/// timestamp than any earlier attempt wrote, in the same order, so Cassandra ends with the newest value whatever
/// order the writes land in; and a stale activation, whose reservation is older, writes only values that the newer
/// one shadows. The LSN floor keeps a table's timestamps moving with the WAL; the +1 step makes the changes of one
/// transaction (one commit LSN, many ordinals) distinct.
/// </summary>
public sealed class CassandraWriteTimestamps(long reserved)
{
    /// <summary>The timestamp of the last change numbered so far (the next reservation).</summary>
    public long Last { get; private set; } = reserved;

    public long Next(Position position)
    {
        var lsn = position.Lsn > long.MaxValue ? throw new OverflowException($"LSN {position} exceeds a CQL timestamp") : (long)position.Lsn;
        Last = Math.Max(checked(Last + 1), lsn);
        return Last;
    }
}
