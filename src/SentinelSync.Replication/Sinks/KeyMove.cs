namespace SentinelSync.Replication.Sinks;

/// <summary>
/// An update that changed a row's primary key while some of its columns are unchanged TOAST values the batch
/// does not know: the destination row must be moved (UPDATE of its key), not deleted and re-inserted, so that
/// those columns keep their destination values.
/// </summary>
internal sealed record KeyMove(ColumnValue[] OldRow, ColumnValue[] NewRow);
