using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// One statement to send: its table, kind and timestamp, the bound values in the statement's order (INSERT: every
/// target column, then the timestamp; DELETE: the timestamp, then the key), and the partition it touches.
/// <see cref="FillFromKey"/> is set on the INSERT of a moved key whose new row left TOASTed columns out: their
/// values are read from the row under that (old) key before it is deleted.
/// </summary>
public sealed record CassandraWrite(CassandraTable Table, CassandraWriteKind Kind, long Timestamp, CqlValue[] Values, string Partition)
{
    public CqlValue[]? FillFromKey { get; init; }
}
