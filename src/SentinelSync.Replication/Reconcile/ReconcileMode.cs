namespace SentinelSync.Replication.Reconcile;

/// <summary>How deeply a reconcile run compares: row counts, chunk checksums, or down to the differing rows.</summary>
[GenerateSerializer]
public enum ReconcileMode
{
    Count,
    Checksum,
    Rows,
}
