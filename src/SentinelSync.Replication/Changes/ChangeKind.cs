namespace SentinelSync.Replication;

[GenerateSerializer]
public enum ChangeKind : byte
{
    /// <summary>A row copied by the initial snapshot (applied as an upsert).</summary>
    Snapshot,
    Insert,
    Update,
    Delete,
    Truncate,
}
