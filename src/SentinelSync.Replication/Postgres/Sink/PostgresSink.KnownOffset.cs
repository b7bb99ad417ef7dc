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
    /// Applies a streamed batch on the assumption that the offset row is still what this sink committed last with this
    /// epoch, which saves reading and locking it in a round trip of its own: the transaction's first statement
    /// (<see cref="PostgresSinkSql.AdvanceKnownOffset"/>) moves the row from that exact state to the new position, which
    /// locks it like <c>FOR UPDATE</c> would, and fails the transaction when the row is in any other state (a newer
    /// epoch took over, the row was changed or removed), before anything else commits; the caller then takes the full
    /// path, which reads the row and fences or skips as always. When every segment is small, streamed and of a shape
    /// already set up, the whole transaction is one batch of statements in one round trip (Postgres runs a batch
    /// without an explicit transaction as one implicit transaction: all of it commits or none). Returns the position
    /// applied, or null when the assumption did not hold (nothing was written).
    /// </summary>
    private async Task<Position?> TryApplyAtKnownOffsetAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken)
    {
        if (batch.EndsSnapshot || !_knownOffsets.TryGetValue((sinkName, batch.OffsetKey), out var known) || known.Epoch != epoch)
        {
            return null;
        }

        var pending = batch.Changes.Where(c => c.Position > known.Position).ToList();
        var applied = batch.Through > known.Position ? batch.Through : known.Position;
        var segments = ChangeReducer.Reduce(pending);
        var advance = AdvanceKnownOffset(sinkName, batch.OffsetKey, known, applied, epoch);

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (FoldableTargets(segments) is { } targets)
        {
            await using var statements = new NpgsqlBatch(connection) { BatchCommands = { advance } };
            for (var i = 0; i < segments.Count; i++)
            {
                PostgresTableWriter.AddDirect(statements, targets[i].Target, segments[i], targets[i].ColumnTypes);
            }

            try
            {
                await statements.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsMoved(e))
            {
                return null;
            }
        }
        else
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            await using (var first = new NpgsqlBatch(connection, transaction) { BatchCommands = { advance } })
            {
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

        RememberOffset(sinkName, batch, applied, epoch);
        LogBatchApplied(_logger, sinkName, batch.Table, pending.Count, batch.Changes.Count - pending.Count, applied);
        PipelineInstruments.Blocked(sinkName, batch.Table, blocked: false);
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

            var columnTypes = segment.Deletes.Count == 0 ? s_noColumnTypes : _schemas.KnownColumnTypes(target);
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
