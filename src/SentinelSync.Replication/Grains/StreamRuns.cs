namespace SentinelSync.Replication.Grains;

/// <summary>
/// The batches of several streams (Kafka partitions) of one table that a sink grain applies in one transaction:
/// the queue's mergeable prefix, each stream's batches merged in their order into that stream's run. A table fed by
/// several partitions gets their chunks interleaved ([p0, p1, p0, p1, …]); stopping at the first stream seen twice
/// made transactions of two or three chunks, a fraction of what the direct pipeline commits at once. The streams'
/// relative order carries nothing (a key lives in one partition, and partitions are read concurrently anyway), so
/// only each stream's own order is kept.
/// </summary>
internal sealed class StreamRuns
{
    private readonly List<Run> _runs = [];

    /// <summary>Starts with <paramref name="first"/> (already taken, weighing <paramref name="taken"/>).</summary>
    public StreamRuns(ChangeBatch first, int taken)
    {
        ArgumentNullException.ThrowIfNull(first);
        _runs.Add(new Run(first, taken));
        Changes = first.Changes.Count;
    }

    /// <summary>Changes taken in all.</summary>
    public int Changes { get; private set; }

    /// <summary>The queue weight taken in all (see <see cref="Weight"/>).</summary>
    public int Taken => _runs.Sum(r => r.Taken);

    /// <summary>
    /// Whether <paramref name="next"/>, the queue's next batch, may join: a batch of streamed changes (no snapshot
    /// copy, no end of snapshot) that keeps the total at most <paramref name="maxChanges"/>.
    /// </summary>
    public bool Accepts(ChangeBatch next, int maxChanges) =>
        next.Stream is not null && next.Copy is null && !next.EndsSnapshot && Changes + next.Changes.Count <= maxChanges;

    /// <summary>Adds <paramref name="next"/> (taken from the queue) after the batches of its stream.</summary>
    public void Add(ChangeBatch next)
    {
        ArgumentNullException.ThrowIfNull(next);
        Changes += next.Changes.Count;
        if (_runs.Find(r => r.Stream == next.Stream) is { } run)
        {
            run.Append(next);
        }
        else
        {
            _runs.Add(new Run(next, Weight(next)));
        }
    }

    /// <summary>One merged batch per stream, in the order the streams first appeared, with its queue weight.</summary>
    public List<(ChangeBatch Batch, int Taken)> Batches() => _runs.ConvertAll(r => (r.ToBatch(), r.Taken));

    /// <summary>
    /// What a batch adds to a sink grain's queue length: its changes, and at least 1, so that a batch without
    /// changes (the end of a snapshot, which builds a key) keeps the queue non-empty until applied; an empty queue
    /// with positions not applied means the work was lost.
    /// </summary>
    public static int Weight(ChangeBatch batch) => Math.Max(batch.Count, 1);

    private sealed class Run(ChangeBatch first, int taken)
    {
        private readonly List<RowChange> _changes = [.. first.Changes];
        private Position _through = first.Through;

        public string? Stream { get; } = first.Stream;

        public int Taken { get; private set; } = taken;

        public void Append(ChangeBatch next)
        {
            _changes.AddRange(next.Changes);
            _through = next.Through;
            Taken += Weight(next);
        }

        public ChangeBatch ToBatch() => new(first.Table, _changes, _through) { Stream = Stream };
    }
}
