namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// One consistent point of a table comparison: the source under a snapshot, and a destination that has applied at
/// least everything that snapshot sees. The destination may be further ahead (streaming goes on); a difference
/// is only reported as drift when it stays the same over consecutive rounds (<see cref="TableVerifier"/>).
/// </summary>
internal sealed class VerifyRound(SourceSnapshot snapshot, PostgresTableSide source, ITableSide destination, bool buckets) : IAsyncDisposable
{
    public PostgresTableSide Source => source;

    public ITableSide Destination => destination;

    /// <summary>The chunks of about <paramref name="chunkRows"/> rows: key ranges, or key-hash buckets when the destination orders keys differently.</summary>
    public async Task<List<Chunk>> PlanAsync(int chunkRows, CancellationToken cancellationToken)
    {
        if (buckets)
        {
            var rows = await source.CountAsync(cancellationToken);
            var count = (int)Math.Max(1, (rows + chunkRows - 1) / chunkRows);
            return [.. Enumerable.Range(0, count).Select(i => new Chunk(i, null, null, count))];
        }

        var bounds = await source.BoundariesAsync(chunkRows, cancellationToken);
        return [.. Enumerable.Range(0, bounds.Count + 1).Select(i => new Chunk(i, i == 0 ? null : bounds[i - 1], i < bounds.Count ? bounds[i] : null))];
    }

    public ValueTask DisposeAsync() => snapshot.DisposeAsync();
}
