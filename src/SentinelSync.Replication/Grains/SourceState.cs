namespace SentinelSync.Replication.Grains;

/// <summary>
/// What a source grain keeps durably: how far its snapshot got (a crash during the copy restarts it with the
/// next attempt number) and the table schemas last seen, so that schema versions keep growing across restarts, and whether an operator paused it.
/// </summary>
/// <remarks>
/// Serializable because Orleans hands a migrating grain's state to its new activation (which then skips Orleans' read
/// before activation). It is the state as the old activation left it after draining. The new activation still reads
/// it again once it holds the lease, as every activation does: one that was not migrated (a failover, a first call)
/// got a copy read before the lease was its own.
/// </remarks>
[GenerateSerializer]
public sealed class SourceState
{
    [Id(0)]
    public ulong ConsistentPoint { get; set; }

    [Id(1)]
    public int SnapshotAttempt { get; set; }

    [Id(2)]
    public bool SnapshotCompleted { get; set; }

    [Id(3)]
    public List<TableSchema> Schemas { get; set; } = [];

    /// <summary>Tables whose resync was asked for and has not finished: a restart starts them over.</summary>
    [Id(4)]
    public List<TableName> Resyncs { get; set; } = [];

    /// <summary>Paused by an operator: the source does not read until resumed (the slot is kept).</summary>
    [Id(5)]
    public bool Paused { get; set; }
}
