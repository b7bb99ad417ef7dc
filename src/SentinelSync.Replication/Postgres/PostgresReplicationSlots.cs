using Npgsql;
using Npgsql.Replication;

namespace SentinelSync.Replication.Postgres;

/// <summary>Creates pgoutput logical replication slots. Never drops one: slots are the operator's to remove.</summary>
public static class PostgresReplicationSlots
{
    /// <summary>
    /// Creates <paramref name="slot"/> and exports a snapshot consistent with its starting point. Fails with a
    /// <see cref="Npgsql.PostgresException"/> (42710) when the slot already exists.
    /// </summary>
    public static async Task<ExportedSlotSnapshot> CreateExportingSnapshotAsync(string connectionString, string slot, CancellationToken cancellationToken = default)
    {
        var connection = new LogicalReplicationConnection(connectionString);
        try
        {
            await connection.Open(cancellationToken);
            var created = await connection.CreatePgOutputReplicationSlot(
                slot, temporarySlot: false, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken);
            var snapshotName = created.SnapshotName
                ?? throw new InvalidOperationException($"Postgres created slot '{slot}' but returned no exported snapshot name.");
            return new ExportedSlotSnapshot(connection, slot, (ulong)created.ConsistentPoint, snapshotName);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Exports a snapshot of now for an existing <paramref name="slot"/> whose first snapshot copy was interrupted
    /// (a crash): copying under it and then streaming from the slot, which still starts at
    /// <paramref name="consistentPoint"/>, converges, because every change since the consistent point is streamed
    /// again and applied in order after the copy. Keep the result until the copy is done.
    /// </summary>
    public static async Task<ExportedSlotSnapshot> ExportSnapshotAsync(string connectionString, string slot, ulong consistentPoint, CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var export = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();", connection);
            var snapshotName = (string)(await export.ExecuteScalarAsync(cancellationToken))!;
            return new ExportedSlotSnapshot(connection, slot, consistentPoint, snapshotName);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates <paramref name="slot"/> without a snapshot (snapshot mode <c>never</c>); returns its consistent point.</summary>
    public static async Task<ulong> CreateAsync(string connectionString, string slot, CancellationToken cancellationToken = default)
    {
        await using var connection = new LogicalReplicationConnection(connectionString);
        await connection.Open(cancellationToken);
        var created = await connection.CreatePgOutputReplicationSlot(
            slot, temporarySlot: false, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: cancellationToken);
        return (ulong)created.ConsistentPoint;
    }
}
