namespace SentinelSync.Replication.Grains;

/// <summary>
/// What a source grain keeps durably: how far its snapshot got (a crash during the copy restarts it with the
/// next attempt number) and the table schemas last seen, so that schema versions keep growing across restarts, and whether an operator paused it.
/// </summary>
public sealed class SourceState
{
    public ulong ConsistentPoint { get; set; }

    public int SnapshotAttempt { get; set; }

    public bool SnapshotCompleted { get; set; }

    public List<TableSchema> Schemas { get; set; } = [];

    /// <summary>Tables whose resync was asked for and has not finished: a restart starts them over.</summary>
    public List<TableName> Resyncs { get; set; } = [];

    /// <summary>Paused by an operator: the source does not read until resumed (the slot is kept).</summary>
    public bool Paused { get; set; }
}
