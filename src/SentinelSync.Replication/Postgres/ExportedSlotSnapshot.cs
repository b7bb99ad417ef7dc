namespace SentinelSync.Replication.Postgres;

/// <summary>
/// A slot just created together with an exported snapshot. The snapshot (<see cref="SnapshotName"/>) shows the
/// database exactly as of <see cref="ConsistentPoint"/>: every transaction committed before it is in the
/// snapshot, every later one is streamed from the slot. The snapshot stays importable only while this object
/// is alive: keep it until every table has been copied, then dispose it (which closes the replication
/// connection that exported it; the slot stays).
/// </summary>
public sealed class ExportedSlotSnapshot : IAsyncDisposable
{
    private readonly IAsyncDisposable _connection;

    internal ExportedSlotSnapshot(IAsyncDisposable connection, string slot, ulong consistentPoint, string snapshotName)
    {
        _connection = connection;
        Slot = slot;
        ConsistentPoint = consistentPoint;
        SnapshotName = snapshotName;
    }

    /// <summary>The slot's name.</summary>
    public string Slot { get; }

    /// <summary>LSN from which the slot streams; snapshot rows carry <see cref="PostgresSnapshotReader.SnapshotPosition"/> positions just below it.</summary>
    public ulong ConsistentPoint { get; }

    /// <summary>The exported snapshot's name, for <c>SET TRANSACTION SNAPSHOT</c>.</summary>
    public string SnapshotName { get; }

    /// <summary>Closes the exporting connection; the snapshot can no longer be imported afterwards.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
