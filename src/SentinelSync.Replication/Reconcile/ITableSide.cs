namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// One side of a table comparison (the source under a snapshot, or a destination), computing counts and hashes
/// in the server over a text form both sides of the comparison agree on. Throws
/// <see cref="ReconcileException"/> when the table cannot be read (missing, a column missing at the destination).
/// </summary>
internal interface ITableSide
{
    Task<long> CountAsync(CancellationToken cancellationToken);

    /// <summary>The digests of the given chunks (key ranges: one query each; buckets: one grouped scan).</summary>
    Task<ChunkDigest[]> DigestAsync(IReadOnlyList<Chunk> chunks, CancellationToken cancellationToken);

    /// <summary>Each row of the chunk, by key id (<see cref="RowDigest.IdOf"/>).</summary>
    Task<Dictionary<string, RowDigest>> RowsAsync(Chunk chunk, CancellationToken cancellationToken);

    /// <summary>The rows of the given keys that exist on this side, by key id.</summary>
    Task<Dictionary<string, RowDigest>> RowsAsync(IReadOnlyList<string[]> keys, CancellationToken cancellationToken);
}
