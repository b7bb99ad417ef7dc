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
