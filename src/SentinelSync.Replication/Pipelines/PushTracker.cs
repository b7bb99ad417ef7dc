using System.Diagnostics;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// The batches a source pushed and not yet seen applied by every sink, per table, in push order. From it and
/// the sinks' progress the source computes how far it may confirm the slot. Thread-safe.
/// </summary>
internal sealed class PushTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TableName, Queue<(ulong FirstLsn, Position Through, long ReceivedAt)>> _pushed = [];

    public void Add(ChangeBatch batch)
    {
        var first = batch.First.Lsn;
        lock (_lock)
        {
            if (!_pushed.TryGetValue(batch.Table, out var queue))
            {
                _pushed[batch.Table] = queue = new Queue<(ulong, Position, long)>();
            }

            queue.Enqueue((first, batch.Through, Stopwatch.GetTimestamp()));
        }
    }

    public IReadOnlyList<TableName> Tables
    {
        get
        {
            lock (_lock)
            {
                return [.. _pushed.Where(p => p.Value.Count > 0).Select(p => p.Key)];
            }
        }
    }

    public bool IsEmpty
    {
        get
        {
            lock (_lock)
            {
                return _pushed.Values.All(q => q.Count == 0);
            }
        }
    }

    /// <summary>
    /// Given the positions every sink of <paramref name="table"/> applied through (lowest first), forgets the
    /// batches all of them applied and returns the highest commit LSN below the first unapplied change
    /// (<see cref="ulong.MaxValue"/> when nothing is unapplied).
    /// </summary>
    public ulong Settle(TableName table, Position appliedByAll)
    {
        lock (_lock)
        {
            if (!_pushed.TryGetValue(table, out var queue))
            {
                return ulong.MaxValue;
            }

            while (queue.TryPeek(out var entry) && entry.Through <= appliedByAll)
            {
                queue.Dequeue();
            }

            return queue.TryPeek(out var pending) ? pending.FirstLsn - 1 : ulong.MaxValue;
        }
    }

    /// <summary>How long the oldest batch not yet applied by every sink has been waiting (zero when none).</summary>
    public TimeSpan OldestPendingAge
    {
        get
        {
            lock (_lock)
            {
                var oldest = _pushed.Values.Where(q => q.Count > 0).Select(q => q.Peek().ReceivedAt).DefaultIfEmpty(0).Min();
                return oldest == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(oldest);
            }
        }
    }

    /// <summary>The last position pushed for <paramref name="table"/> that is not yet applied by all sinks, if any.</summary>
    public Position? LastPending(TableName table)
    {
        lock (_lock)
        {
            return _pushed.TryGetValue(table, out var queue) && queue.Count > 0 ? queue.Last().Through : null;
        }
    }
}
