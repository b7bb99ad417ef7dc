using SentinelSync.Replication.Grains;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// One table's streamed batches waiting for the source's next push, in stream order. Consecutive batches are merged
/// into one of up to <see cref="SinkGrain.MaxBatchChanges"/> changes (covering through the last one's position), as
/// the sink would merge them anyway: a busy source that reads thousands of one-row transactions then hands the table
/// grain, the sinks' queues and the tracker one batch instead of thousands. Not merged: batches the source traces
/// (each transaction keeps its capture span) and anything but plain streamed changes. Not thread-safe.
/// </summary>
internal sealed class TableQueue(TableName table, bool merge)
{
    private readonly List<ChangeBatch> _batches = [];
    private List<RowChange>? _open;
    private Position _openThrough;

    public void Add(ChangeBatch batch)
    {
        var mergeable = merge && batch.Stream is null && batch.Copy is null && !batch.EndsSnapshot && batch.TraceParent is null;
        if (mergeable && _open is not null && _open.Count + batch.Changes.Count <= SinkGrain.MaxBatchChanges)
        {
            _open.AddRange(batch.Changes);
            _openThrough = batch.Through;
            return;
        }

        Close();
        if (mergeable)
        {
            _open = [.. batch.Changes];
            _openThrough = batch.Through;
        }
        else
        {
            _batches.Add(batch);
        }
    }

    /// <summary>Everything queued, in order; the queue is empty afterwards.</summary>
    public List<ChangeBatch> Take()
    {
        Close();
        var taken = new List<ChangeBatch>(_batches);
        _batches.Clear();
        return taken;
    }

    private void Close()
    {
        if (_open is not null)
        {
            _batches.Add(new ChangeBatch(table, _open, _openThrough));
            _open = null;
        }
    }
}
