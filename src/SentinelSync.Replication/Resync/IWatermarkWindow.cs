namespace SentinelSync.Replication.Resync;

/// <summary>
/// Work that reads source rows between a Low and a High watermark and pushes them into the table's stream at the
/// High mark (a table resync, a reconcile repair). The stream side calls these on the source's reading loop:
/// <see cref="Hold"/> for every batch of the table, <see cref="OnWatermark"/> at each of its marks, then
/// <see cref="Release"/>; <see cref="ConfirmBound"/> keeps the slot from being confirmed past held changes.
/// </summary>
internal interface IWatermarkWindow
{
    /// <summary>Tells this run's marks from any other run's.</summary>
    string Id { get; }

    TableName Table { get; }

    /// <summary>While changes are held: the slot must not be confirmed beyond this LSN.</summary>
    ulong? ConfirmBound { get; }

    /// <summary>The shape the rows were read under, to adopt for a table stopped on an ambiguous schema change (null: none).</summary>
    TableSchema? StartSchema { get; }

    bool Hold(ChangeBatch batch);

    IReadOnlyList<ChangeBatch> OnWatermark(ResyncWatermark mark, ulong commitLsn, TableSchema? streamSchema);

    void Release();

    IReadOnlyList<ChangeBatch> TakeAbandoned();
}
