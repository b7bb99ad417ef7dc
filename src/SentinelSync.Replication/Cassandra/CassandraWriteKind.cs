namespace SentinelSync.Replication.Cassandra;

public enum CassandraWriteKind
{
    /// <summary>INSERT of the new row (inserts, snapshot rows, updates); unchanged TOAST columns unset.</summary>
    Insert,

    /// <summary>DELETE of a row by key (deletes, and the old key of an update that moved the key).</summary>
    Delete,

    Truncate,
}
