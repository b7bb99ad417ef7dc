namespace SentinelSync.Replication.Postgres;

/// <summary>
/// An update or delete arrived for a table that has no primary key and no replica identity, so the row it
/// changed cannot be identified. Never dropped silently: the stream stops with this error, naming the table
/// and the fix.
/// </summary>
public sealed class PostgresReplicaIdentityException : Exception
{
    /// <summary>Creates the exception for <paramref name="table"/>.</summary>
    public PostgresReplicaIdentityException(TableName table, ChangeKind kind)
        : base($"An {kind.ToString().ToLowerInvariant()} of table {table} cannot be replicated: the table has no primary key or replica identity, so the changed row cannot be identified. Fix: ALTER TABLE {PostgresIdentifier.Quote(table)} REPLICA IDENTITY FULL, or add a primary key.")
    {
        Table = table;
        Kind = kind;
    }

    /// <summary>The table without identity.</summary>
    public TableName Table { get; }

    /// <summary>The kind of change that could not be replicated.</summary>
    public ChangeKind Kind { get; }
}
