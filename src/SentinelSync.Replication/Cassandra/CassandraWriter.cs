using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// Sends a <see cref="CassandraWritePlan"/>: runs of writes to one table go out as unlogged batches of one partition
/// each (split past <see cref="MaxBatchBytes"/>), <see cref="CassandraSinkOptions.MaxConcurrentWrites"/> at a time, in
/// any order (the timestamps decide). A TRUNCATE, a table switch and a key move that must read its old row end a run:
/// what came before it is written first.
/// </summary>
public sealed class CassandraWriter(CqlSession session, CassandraSchemas schemas, CassandraSinkOptions options)
{
    /// <summary>Under Cassandra's default batch_size_fail_threshold (50 KiB).</summary>
    public const int MaxBatchBytes = 40 * 1024;

    public async Task WriteAsync(CassandraWritePlan plan, CancellationToken cancellationToken)
    {
        var run = new List<CassandraWrite>();
        foreach (var write in plan.Writes)
        {
            if (run.Count > 0 && (run[0].Table != write.Table || write.Kind == CassandraWriteKind.Truncate || write.FillFromKey is not null))
            {
                await WriteRunAsync(run, cancellationToken).ConfigureAwait(false);
                run.Clear();
            }

            if (write.Kind == CassandraWriteKind.Truncate)
            {
                await schemas.EnsureAsync(session, write.Table, cancellationToken).ConfigureAwait(false);
                await session.QueryAsync(CassandraStatements.Truncate(write.Table), new QueryParameters { Consistency = CqlConsistency.All }, cancellationToken).ConfigureAwait(false);
            }
            else if (write.FillFromKey is not null)
            {
                await schemas.EnsureAsync(session, write.Table, cancellationToken).ConfigureAwait(false);
                await WriteRunAsync([await FillUnchangedAsync(write, cancellationToken).ConfigureAwait(false)], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                run.Add(write);
            }
        }

        if (run.Count > 0)
        {
            await WriteRunAsync(run, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteRunAsync(IReadOnlyList<CassandraWrite> run, CancellationToken cancellationToken)
    {
        var table = run[0].Table;
        await schemas.EnsureAsync(session, table, cancellationToken).ConfigureAwait(false);
        var insert = await session.PrepareAsync(CassandraStatements.Insert(table), cancellationToken).ConfigureAwait(false);
        var delete = await session.PrepareAsync(CassandraStatements.Delete(table), cancellationToken).ConfigureAwait(false);
        var batches = run.GroupBy(w => w.Partition).SelectMany(Split).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrentWrites, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            var statements = batch.Select(w => (w.Kind == CassandraWriteKind.Insert ? insert : delete, w.Values)).ToList();
            if (statements.Count == 1)
            {
                await session.ExecuteAsync(statements[0].Item1, [.. statements[0].Values.Cast<object?>()], options.ConsistencyLevel, cancellationToken: ct).ConfigureAwait(false);
            }
            else
            {
                await session.BatchAsync(statements, options.ConsistencyLevel, BatchType.Unlogged, ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>A partition's writes in chunks whose values stay under <see cref="MaxBatchBytes"/> (a single larger write goes alone).</summary>
    private static IEnumerable<List<CassandraWrite>> Split(IEnumerable<CassandraWrite> partition)
    {
        var chunk = new List<CassandraWrite>();
        var bytes = 0;
        foreach (var write in partition)
        {
            var size = write.Values.Sum(v => v.Bytes?.Length ?? 0);
            if (chunk.Count > 0 && bytes + size > MaxBatchBytes)
            {
                yield return chunk;
                chunk = [];
                bytes = 0;
            }

            chunk.Add(write);
            bytes += size;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    /// <summary>The INSERT of a moved key with its unset (unchanged TOAST) columns taken from the row under the old key.</summary>
    private async Task<CassandraWrite> FillUnchangedAsync(CassandraWrite write, CancellationToken cancellationToken)
    {
        var select = await session.PrepareAsync(CassandraStatements.SelectRow(write.Table), cancellationToken).ConfigureAwait(false);
        var rows = (RowsResult)await session.ExecuteAsync(select, [.. write.FillFromKey!.Cast<object?>()], options.ConsistencyLevel, cancellationToken: cancellationToken).ConfigureAwait(false);
        var values = (CqlValue[])write.Values.Clone();
        var columns = write.Table.TargetColumns.ToList();
        for (var i = 0; i < columns.Count; i++)
        {
            if (values[i].IsUnset)
            {
                // No old row (already moved or deleted by a later change): the column stays unset, as the source left it.
                values[i] = rows.Rows.Count == 0 ? CqlValue.Unset : CqlValue.Of(CqlValueCodec.Encode(columns[i].Type, rows.Rows[0][i]));
            }
        }

        return write with { Values = values, FillFromKey = null };
    }
}
