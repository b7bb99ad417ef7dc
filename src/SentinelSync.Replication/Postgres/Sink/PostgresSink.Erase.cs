using System.Data;
using Npgsql;
using NpgsqlTypes;
using SentinelSync.Replication.Erasure;

namespace SentinelSync.Replication.Postgres;

public sealed partial class PostgresSink : IErasingSink
{
    /// <summary>
    /// Deletes the row of <paramref name="delete"/>'s key from the target table, in one transaction that holds the
    /// sink's offset row shared (fenced like a batch; the offset does not move). The key values go as parameters of
    /// unknown type, so the destination reads them with its own column types. A missing target table erases nothing.
    /// </summary>
    public async Task<SinkErasureCount> EraseAsync(RowChange delete, string sinkName, long epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delete);
        var key = ErasureKeys.Of(delete);
        var target = _options.TargetOf(delete.Schema.Table);
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await s_offsets.ShareAsync(connection, sinkName, delete.Schema.Table, epoch, cancellationToken).ConfigureAwait(false);

        await using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = PostgresIdentifier.Quote(target) });
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return new SinkErasureCount(0, "rows", $"no table {target} at the destination");
            }
        }

        var where = string.Join(" AND ", key.Select((k, i) => $"{PostgresIdentifier.Quote(k.Column)} = ${i + 1}"));
        await using var command = new NpgsqlCommand($"DELETE FROM {PostgresIdentifier.Quote(target)} WHERE {where}", connection);
        foreach (var (_, text) in key)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = text, NpgsqlDbType = NpgsqlDbType.Unknown });
        }

        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SinkErasureCount(deleted, "rows", $"DELETE FROM {target}");
    }
}
