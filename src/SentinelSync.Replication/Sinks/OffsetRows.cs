using Npgsql;
using NpgsqlTypes;

namespace SentinelSync.Replication.Sinks;

/// <summary>
/// The offset rows of a sink, one per (sink, source table): a sink locks its row at the start of a batch's
/// transaction (creating it on first use), checks the epoch, and writes the new position in the same
/// transaction. The SQL differs per sink only in where the table lives (the destination's <c>"_sentinel"</c>
/// schema for Postgres, the control database for ClickHouse); each statement takes
/// <c>$1</c> sink, <c>$2</c> source table (<see cref="ChangeBatch.OffsetKey"/>: the table, plus the stream for a
/// source with several, such as Kafka partitions) and, for the update, <c>$3</c> LSN, <c>$4</c> ordinal, <c>$5</c> epoch.
/// </summary>
internal sealed class OffsetRows(string selectForUpdate, string select, string insertIfMissing, string update, string? selectForShare = null)
{
    /// <summary>Locks the row (FOR UPDATE) until the transaction ends, creating it first when missing.</summary>
    private async Task<SinkOffset> LockAsync(NpgsqlConnection connection, string sink, string sourceTable, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using (var command = Command(selectForUpdate, connection, sink, sourceTable))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return Read(reader);
                }
            }

            if (attempt > 0)
            {
                throw new InvalidOperationException($"The offset row of sink '{sink}', table {sourceTable} vanished while being created.");
            }

            await using var insert = Command(insertIfMissing, connection, sink, sourceTable);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The start of a transaction that runs beside others of the same sink and table (copied snapshot rows):
    /// holds the offset row shared until the transaction ends and refuses when a newer epoch owns it
    /// (<see cref="SinkFencedException"/>). A takeover, which locks the row for update, waits for these.
    /// </summary>
    public async Task<SinkOffset> ShareAsync(NpgsqlConnection connection, string sink, TableName table, long epoch, CancellationToken cancellationToken)
    {
        var sql = selectForShare ?? throw new InvalidOperationException("This sink's offsets are not shared.");
        for (var attempt = 0; ; attempt++)
        {
            await using (var command = Command(sql, connection, sink, table.ToString()))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var stored = Read(reader);
                    return stored.Epoch > epoch ? throw new SinkFencedException(sink, table, epoch, stored.Epoch) : stored;
                }
            }

            if (attempt > 0)
            {
                throw new InvalidOperationException($"The offset row of sink '{sink}', table {table} vanished while being created.");
            }

            await using var insert = Command(insertIfMissing, connection, sink, table.ToString());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the caller's epoch into the offset row (position unchanged), in the caller's transaction, after the
    /// same fencing check as <see cref="BeginBatchAsync"/>: from its commit on, an older activation is refused.
    /// </summary>
    public async Task ClaimAsync(NpgsqlConnection connection, string sink, TableName table, long epoch, CancellationToken cancellationToken)
    {
        var stored = await LockAsync(connection, sink, table.ToString(), cancellationToken).ConfigureAwait(false);
        if (stored.Epoch > epoch)
        {
            throw new SinkFencedException(sink, table, epoch, stored.Epoch);
        }

        await WriteAsync(connection, sink, table.ToString(), stored.Position, epoch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The start of every sink's batch transaction: locks the offset row, refuses the batch when a newer epoch owns
    /// it (<see cref="SinkFencedException"/>, nothing written), and returns the stored offset with the changes still
    /// to apply: those above the stored position, or all of them for a dead-letter replay.
    /// </summary>
    public async Task<(SinkOffset Stored, List<RowChange> Pending)> BeginBatchAsync(NpgsqlConnection connection, string sink, ChangeBatch batch, long epoch, bool replay, CancellationToken cancellationToken)
    {
        var stored = await LockAsync(connection, sink, batch.OffsetKey, cancellationToken).ConfigureAwait(false);
        if (stored.Epoch > epoch)
        {
            throw new SinkFencedException(sink, batch.Table, epoch, stored.Epoch);
        }

        return (stored, replay ? [.. batch.Changes] : batch.Changes.Where(c => c.Position > stored.Position).ToList());
    }

    /// <summary>
    /// The end of every sink's batch transaction: writes the position now applied (the batch's, unless the stored
    /// one is later or this is a replay, which never moves the offset) with the caller's epoch, and returns it.
    /// </summary>
    public async Task<Position> EndBatchAsync(NpgsqlConnection connection, string sink, ChangeBatch batch, SinkOffset stored, long epoch, bool replay, CancellationToken cancellationToken)
    {
        var applied = !replay && batch.Through > stored.Position ? batch.Through : stored.Position;
        await WriteAsync(connection, sink, batch.OffsetKey, applied, epoch, cancellationToken).ConfigureAwait(false);
        return applied;
    }

    private async Task WriteAsync(NpgsqlConnection connection, string sink, string sourceTable, Position applied, long epoch, CancellationToken cancellationToken)
    {
        await using var command = Command(update, connection, sink, sourceTable);
        command.Parameters.Add(new NpgsqlParameter { Value = new NpgsqlLogSequenceNumber(applied.Lsn), NpgsqlDbType = NpgsqlDbType.PgLsn });
        command.Parameters.Add(new NpgsqlParameter { Value = applied.Ordinal });
        command.Parameters.Add(new NpgsqlParameter { Value = epoch });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SinkOffset?> ReadAsync(NpgsqlDataSource dataSource, string sink, string sourceTable, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(select, connection, sink, sourceTable);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, string sink, string sourceTable)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = sink });
        command.Parameters.Add(new NpgsqlParameter { Value = sourceTable });
        return command;
    }

    private static SinkOffset Read(NpgsqlDataReader reader) => new(
        new Position((ulong)reader.GetFieldValue<NpgsqlLogSequenceNumber>(0), reader.GetInt64(1)),
        reader.GetInt64(2),
        reader.GetFieldValue<DateTimeOffset>(3));
}
