namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Groups the positioned changes of one transaction into one batch per table, tables in order of first
/// appearance. Drained in chunks while the transaction is large, and once more at its end.
/// </summary>
internal sealed class TransactionBatches
{
    private readonly Dictionary<TableName, List<RowChange>> _byTable = [];
    private readonly List<TableName> _order = [];

    public int Count { get; private set; }

    public void Add(RowChange change)
    {
        var table = change.Schema.Table;
        if (!_byTable.TryGetValue(table, out var changes))
        {
            changes = [];
            _byTable.Add(table, changes);
            _order.Add(table);
        }

        changes.Add(change);
        Count++;
    }

    /// <summary>
    /// Takes everything gathered so far. Each batch covers through its last change, or through
    /// <paramref name="transactionEnd"/> when the transaction is complete.
    /// </summary>
    public List<ChangeBatch> Drain(Position? transactionEnd)
    {
        var batches = new List<ChangeBatch>(_order.Count);
        foreach (var table in _order)
        {
            var changes = _byTable[table];
            batches.Add(new ChangeBatch(table, changes, transactionEnd ?? changes[^1].Position));
        }

        _byTable.Clear();
        _order.Clear();
        Count = 0;
        return batches;
    }
}
