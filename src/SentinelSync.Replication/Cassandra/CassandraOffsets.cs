using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Responses;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// One sink's row for one source table in <c>sentinel_offsets</c>, read and written with lightweight transactions
/// (Paxos, LOCAL_SERIAL) so that the epoch check and the write are one step: a newer activation's claim is never
/// overwritten by an older one.
/// </summary>
public sealed class CassandraOffsets(CqlSession session, CassandraSinkOptions options, string sinkName, TableName table)
{
    private readonly string _source = table.ToString();

    public static async Task<CassandraOffset?> ReadAsync(CqlSession session, string keyspace, string sinkName, string source, CancellationToken cancellationToken)
    {
        var select = await session.PrepareAsync(CassandraStatements.SelectOffset(keyspace), cancellationToken).ConfigureAwait(false);
        var rows = (RowsResult)await session.ExecuteAsync(select, [sinkName, source], CqlConsistency.LocalSerial, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (rows.Rows.Count == 0)
        {
            return null;
        }

        var row = rows.Rows[0];
        return new CassandraOffset(
            new Position((ulong)(long)rows.Value(row, "lsn")!, (long)rows.Value(row, "ordinal")!),
            (long)rows.Value(row, "epoch")!,
            (long)rows.Value(row, "reserved_timestamp")!);
    }

    /// <summary>The stored offset, creating the row for <paramref name="epoch"/> when missing; fenced if a newer epoch owns it.</summary>
    public async Task<CassandraOffset> ClaimAsync(long epoch, CancellationToken cancellationToken)
    {
        var stored = await ReadAsync(session, options.Keyspace, sinkName, _source, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            var insert = await session.PrepareAsync(CassandraStatements.InsertOffset(options.Keyspace), cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync(insert, [sinkName, _source, epoch], options.ConsistencyLevel, CqlConsistency.LocalSerial, cancellationToken).ConfigureAwait(false);
            stored = await ReadAsync(session, options.Keyspace, sinkName, _source, cancellationToken).ConfigureAwait(false)
                ?? throw new CassandraReservationConflictException($"the offset row of {sinkName}/{_source} is not visible after its insert");
        }

        return stored.Epoch > epoch ? throw new SinkFencedException(sinkName, table, epoch, stored.Epoch) : stored;
    }

    /// <summary>Moves the reservation from <paramref name="from"/> to <paramref name="to"/> and claims the row for <paramref name="epoch"/>.</summary>
    public async Task ReserveAsync(long epoch, long from, long to, CancellationToken cancellationToken)
    {
        var reserve = await session.PrepareAsync(CassandraStatements.ReserveTimestamps(options.Keyspace), cancellationToken).ConfigureAwait(false);
        var result = await session.ExecuteAsync(reserve, [to, epoch, sinkName, _source, epoch, from], options.ConsistencyLevel, CqlConsistency.LocalSerial, cancellationToken).ConfigureAwait(false);
        if (!Applied(result, out var rows, out var row))
        {
            var current = (long?)rows.Value(row, "epoch") ?? 0;
            throw current > epoch
                ? new SinkFencedException(sinkName, table, epoch, current)
                : new CassandraReservationConflictException($"timestamps of {sinkName}/{_source} were reserved meanwhile (now {rows.Value(row, "reserved_timestamp")}, expected {from})");
        }
    }

    /// <summary>Stores <paramref name="position"/>, only while <paramref name="epoch"/> still owns the row.</summary>
    public async Task StoreAsync(long epoch, Position position, CancellationToken cancellationToken)
    {
        var update = await session.PrepareAsync(CassandraStatements.UpdateOffset(options.Keyspace), cancellationToken).ConfigureAwait(false);
        var result = await session.ExecuteAsync(update, [(long)position.Lsn, position.Ordinal, epoch, sinkName, _source, epoch], options.ConsistencyLevel, CqlConsistency.LocalSerial, cancellationToken).ConfigureAwait(false);
        if (!Applied(result, out var rows, out var row))
        {
            throw new SinkFencedException(sinkName, table, epoch, (long?)rows.Value(row, "epoch") ?? long.MaxValue);
        }
    }

    /// <summary>A lightweight transaction's answer: one row whose <c>[applied]</c> column says whether it was applied.</summary>
    private static bool Applied(CqlResponse response, out RowsResult rows, out object?[] row)
    {
        rows = response as RowsResult ?? throw new CqlProtocolException($"a conditional write answered with {response.GetType().Name}, not a row");
        row = rows.Rows.Single();
        return rows.Value(row, "[applied]") is true;
    }
}
