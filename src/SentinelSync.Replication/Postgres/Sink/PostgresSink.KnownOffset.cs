using System.Collections.Concurrent;
using System.Data;
using Npgsql;
using NpgsqlTypes;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// The short way through a batch whose offset row this sink left itself (see <see cref="TryApplyAtKnownOffsetAsync"/>).
/// </summary>
public sealed partial class PostgresSink
{
    // The offset this sink committed last per (sink, offset key), with the epoch it wrote: while nobody else wrote the
    // row since, the next batch need not read it first. A failed batch forgets its entry (the row may be anything now).
    private readonly ConcurrentDictionary<(string Sink, string OffsetKey), SinkOffset> _knownOffsets = [];

    private void RememberOffset(string sinkName, ChangeBatch batch, Position applied, long epoch) =>
        _knownOffsets[(sinkName, batch.OffsetKey)] = new SinkOffset(applied, epoch, DateTimeOffset.UtcNow);

    private void ForgetOffset(string sinkName, ChangeBatch batch) => _knownOffsets.TryRemove((sinkName, batch.OffsetKey), out _);

    /// <summary>
    /// Applies streamed batches on the assumption that each one's offset row is still what this sink committed last
    /// with that batch's epoch, which saves reading and locking the rows in round trips of their own: the transaction's
    /// first statements (<see cref="PostgresSinkSql.AdvanceKnownOffset"/>, one per batch, in offset-key order like the
    /// full path's locks) move each row from that exact state to its new position, which locks it like <c>FOR UPDATE</c>
    /// would, and fail the transaction when a row is in any other state (a newer epoch took over, the row was changed
    /// or removed), before anything else commits; the caller then takes the full path, which reads the rows and fences
    /// or skips as always. When every segment is small, streamed and of a shape already set up, the whole transaction
    /// is one batch of statements in one round trip (Postgres runs a batch without an explicit transaction as one
    /// implicit transaction: all of it commits or none). Returns the positions applied, or null when the assumption
    /// did not hold for some batch (nothing was written).
    /// </summary>
    private async Task<IReadOnlyList<Position>?> TryApplyAtKnownOffsetsAsync(IReadOnlyList<ChangeBatch> batches, IReadOnlyList<long> epochs, string sinkName, CancellationToken cancellationToken)
    {
        var known = new SinkOffset[batches.Count];
        for (var i = 0; i < batches.Count; i++)
        {
            if (batches[i].EndsSnapshot || !_knownOffsets.TryGetValue((sinkName, batches[i].OffsetKey), out var offset) || offset.Epoch != epochs[i])
            {
                return null;
            }

            known[i] = offset;
        }

        var pending = new List<RowChange>[batches.Count];
        var applied = new Position[batches.Count];
        for (var i = 0; i < batches.Count; i++)
        {
            var stored = known[i].Position;
            pending[i] = batches[i].Changes.Where(c => c.Position > stored).ToList();
            applied[i] = batches[i].Through > stored ? batches[i].Through : stored;
        }

        // Reduced in the order given (one table's streams keep their order); the rows locked in offset-key order.
        var segments = ChangeReducer.Reduce(pending.SelectMany(p => p));
        var advances = Enumerable.Range(0, batches.Count)
            .OrderBy(i => batches[i].OffsetKey, StringComparer.Ordinal)
            .Select(i => AdvanceKnownOffset(sinkName, batches[i].OffsetKey, known[i], applied[i], epochs[i]))
            .ToList();

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (FoldableTargets(segments) is { } targets)
        {
            await using var statements = new NpgsqlBatch(connection);
            foreach (var advance in advances)
            {
                statements.BatchCommands.Add(advance);
            }

            var updates = new List<NpgsqlBatchCommand>[segments.Count];
            for (var i = 0; i < segments.Count; i++)
            {
                updates[i] = PostgresTableWriter.AddDirect(statements, targets[i].Target, segments[i], targets[i].ColumnTypes);
            }

            try
            {
                await statements.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsMoved(e))
            {
                return null;
            }

            for (var i = 0; i < segments.Count; i++)
            {
                _writer.ReportMissedUpdates(targets[i].Target, updates[i]);
            }
        }
        else
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            await using (var first = new NpgsqlBatch(connection, transaction))
            {
                foreach (var advance in advances)
                {
                    first.BatchCommands.Add(advance);
                }

                try
                {
                    await first.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e) when (IsMoved(e))
                {
                    return null;
                }
            }

            await ApplySegmentsAsync(connection, segments, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var segment in segments)
        {
            _schemas.Committed(segment.Schema);
        }

        for (var i = 0; i < batches.Count; i++)
        {
            RememberOffset(sinkName, batches[i], applied[i], epochs[i]);
            LogBatchApplied(_logger, sinkName, batches[i].Table, pending[i].Count, batches[i].Changes.Count - pending[i].Count, applied[i]);
            PipelineInstruments.Blocked(sinkName, batches[i].Table, blocked: false);
        }

        return applied;
    }

    /// <summary>
    /// The targets of <paramref name="segments"/> with their column types, when every segment can go into one batch of
    /// statements without a query first: written directly, its shape seen committed, its key not pending, its column
    /// types known when it deletes. Null otherwise.
    /// </summary>
    private List<(TableName Target, IReadOnlyDictionary<string, string> ColumnTypes)>? FoldableTargets(List<ApplySegment> segments)
    {
        var targets = new List<(TableName, IReadOnlyDictionary<string, string>)>(segments.Count);
        foreach (var segment in segments)
        {
            var target = _options.TargetOf(segment.Schema.Table);
            if (!PostgresTableWriter.IsDirect(segment) || !_schemas.IsSettled(segment.Schema) || !_keys.IsSettled(target))
            {
                return null;
            }

            var columnTypes = NeedsColumnTypes(segment) ? _schemas.KnownColumnTypes(target) : s_noColumnTypes;
            if (columnTypes is null)
            {
                return null;
            }

            targets.Add((target, columnTypes));
        }

        return targets;
    }

    private static NpgsqlBatchCommand AdvanceKnownOffset(string sinkName, string offsetKey, SinkOffset known, Position applied, long epoch) => new(PostgresSinkSql.AdvanceKnownOffset)
    {
        Parameters =
        {
            new NpgsqlParameter { Value = sinkName },
            new NpgsqlParameter { Value = offsetKey },
            new NpgsqlParameter { Value = new NpgsqlLogSequenceNumber(applied.Lsn), NpgsqlDbType = NpgsqlDbType.PgLsn },
            new NpgsqlParameter { Value = applied.Ordinal },
            new NpgsqlParameter { Value = epoch },
            new NpgsqlParameter { Value = new NpgsqlLogSequenceNumber(known.Position.Lsn), NpgsqlDbType = NpgsqlDbType.PgLsn },
            new NpgsqlParameter { Value = known.Position.Ordinal },
        },
    };

    /// <summary>
    /// The offset row was not in the state this sink left it (see <see cref="PostgresSinkSql.AdvanceKnownOffset"/>).
    /// A division by zero in the batch's own statements (a destination CHECK could divide) reads the same; it only costs
    /// the full path's attempt, which fails with it again.
    /// </summary>
    private static bool IsMoved(PostgresException e) => e.SqlState == PostgresErrorCodes.DivisionByZero;
}
