namespace SentinelSync.Replication.Grains;

/// <summary>
/// What a source grain keeps durably: how far its snapshot got (a crash during the copy restarts it with the
/// next attempt number) and the table schemas last seen, so that schema versions keep growing across restarts.
/// </summary>
public sealed class SourceState
{
    public ulong ConsistentPoint { get; set; }

    public int SnapshotAttempt { get; set; }

    public bool SnapshotCompleted { get; set; }

    public List<TableSchema> Schemas { get; set; } = [];
}
