namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// What a reconcile run found for one table at one sink (stored as JSON with the run). <see cref="Status"/>:
/// <c>ok</c>, <c>drift</c> (differences that stayed the same over consecutive consistent points),
/// <c>repaired</c>, <c>unsettled</c> (rows still changing after every re-check: not counted as drift) or
/// <c>error</c>. <see cref="MismatchedRanges"/> and <see cref="Keys"/> hold at most
/// <see cref="TableVerifier.ReportLimit"/> entries; the counts are complete.
/// </summary>
public sealed class TableReconcileResult
{
    public string Sink { get; set; } = "";

    public string Table { get; set; } = "";

    public string Status { get; set; } = "pending";

    public long SourceRows { get; set; }

    public long DestinationRows { get; set; }

    public long RowsChecked { get; set; }

    public int Chunks { get; set; }

    public int MismatchedChunks { get; set; }

    public long DriftRows { get; set; }

    public long Missing { get; set; }

    public long Extra { get; set; }

    public long Different { get; set; }

    public long Unsettled { get; set; }

    public int Rounds { get; set; }

    public List<string> MismatchedRanges { get; set; } = [];

    public List<KeyDrift> Keys { get; set; } = [];

    public RepairReport? Repair { get; set; }

    public string? Error { get; set; }

    public double Seconds { get; set; }
}

/// <summary>One differing row: <c>missing</c> at the destination, <c>extra</c> there, or <c>different</c>.</summary>
public sealed record KeyDrift(string Kind, string[] Key);

/// <summary>What a repair changed: keys written again from the source, keys deleted at the destination.</summary>
public sealed class RepairReport
{
    public string State { get; set; } = "pending";

    public int Upserted { get; set; }

    public int Deleted { get; set; }

    /// <summary>Repaired keys that still differed at a consistent point right after the repair (0 when it worked).</summary>
    public int Remaining { get; set; }

    public string? Error { get; set; }
}
