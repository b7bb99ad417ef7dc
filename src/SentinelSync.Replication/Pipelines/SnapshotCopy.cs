using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// Copies tables as of an exported snapshot to the table grains: each table in up to
/// <see cref="MaxRangesPerTable"/> block ranges read in parallel (<see cref="PostgresSnapshotReader.PlanAsync"/>),
/// rows passed on unparsed (<see cref="CopyRows"/>). Positions are given at push time, in push order, so that
/// each table's batches reach its sinks with growing positions whichever range they came from. A restarted copy
/// (attempt above 1) starts each table with a truncate; every table that had rows ends with an
/// <see cref="ChangeBatch.EndsSnapshot"/> batch, one position further.
/// </summary>
internal sealed class SnapshotCopy(
    PostgresSnapshotReader reader,
    ExportedSlotSnapshot snapshot,
    int attempt,
    Func<ChangeBatch, CancellationToken, Task> push)
{
    /// <summary>Ranges of one table read at once (each a source connection importing the snapshot).</summary>
    public const int MaxRangesPerTable = 3;

    /// <summary>
    /// Copies <paramref name="table"/>; returns its schema and row count, or null when nothing was pushed (an empty
    /// table on a first attempt).
    /// </summary>
    public async Task<(TableSchema Schema, long Rows)?> CopyTableAsync(TableName table, CancellationToken cancellationToken)
    {
        var plan = await reader.PlanAsync(table, snapshot.SnapshotName, MaxRangesPerTable, cancellationToken);
        var gate = new SemaphoreSlim(1, 1);
        var next = 1L;
        var pushed = false;
        if (attempt > 1)
        {
            // A restarted copy first clears what an interrupted attempt wrote (rows since deleted at the source, or
            // copied twice into a keyless table); the copies are applied after it.
            var truncate = new RowChange(ChangeKind.Truncate, PostgresSnapshotReader.SnapshotPosition(snapshot.ConsistentPoint, attempt, 0), plan.Schema, []);
            await push(new ChangeBatch(table, [truncate], truncate.Position), cancellationToken);
            pushed = true;
        }

        await Parallel.ForEachAsync(plan.Ranges, new ParallelOptions { MaxDegreeOfParallelism = plan.Ranges.Count, CancellationToken = cancellationToken }, async (range, token) =>
        {
            await foreach (var (utf8, rows) in reader.ReadCopyTextAsync(plan, range, snapshot.SnapshotName, token))
            {
                await gate.WaitAsync(token);
                try
                {
                    var copy = new CopyRows(plan.Schema, utf8, rows, PostgresSnapshotReader.SnapshotPosition(snapshot.ConsistentPoint, attempt, next));
                    next += rows;
                    pushed = true;
                    await push(new ChangeBatch(table, [], copy.Last) { Copy = copy }, token);
                }
                finally
                {
                    gate.Release();
                }
            }
        });

        if (!pushed)
        {
            return null;
        }

        await push(new ChangeBatch(table, [], PostgresSnapshotReader.SnapshotPosition(snapshot.ConsistentPoint, attempt, next)) { EndsSnapshot = true }, cancellationToken);
        return (plan.Schema, next - 1);
    }
}
