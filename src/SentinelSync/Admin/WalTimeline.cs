namespace SentinelSync.Admin;

/// <summary>
/// When the source server's WAL end was seen at each position (one sample per monitor tick), to turn a pipeline's
/// applied position into the age of what it has not applied. If at time <c>t</c> the WAL ended at or below the
/// applied position, every transaction committed before <c>t</c> is applied, so nothing unapplied is older than
/// <c>now - t</c>; the first later sample already had WAL beyond it. The lag is therefore
/// <c>now - t</c> for the latest such <c>t</c>: exact to within one sampling interval, and it keeps growing while
/// the pipeline decodes a backlog without receiving a change, stands paused, or waits on a blocked destination.
/// Thread-safe.
/// </summary>
internal sealed class WalTimeline
{
    /// <summary>Samples kept while a pipeline stays behind; beyond it the ones just after the anchor are thinned out.</summary>
    internal const int MaxSamples = 20_000;

    private readonly List<(DateTimeOffset At, ulong WalEnd)> _samples = [];

    /// <summary>Whether the mark a previous silo left has been read (and seeded, if any); until then it is read every tick.</summary>
    public bool MarkRead { get; set; }

    /// <summary>
    /// A moment known from before this timeline (a silo restarted): at <paramref name="at"/> the WAL ended at
    /// <paramref name="walEnd"/>. Used only while no sample of this timeline reaches back that far.
    /// </summary>
    public void Seed(DateTimeOffset at, ulong walEnd)
    {
        lock (_samples)
        {
            if (_samples.Count == 0 || _samples[0].At > at)
            {
                _samples.Insert(0, (at, walEnd));
            }
        }
    }

    /// <summary>Records the WAL end read at <paramref name="at"/>.</summary>
    public void Observe(DateTimeOffset at, ulong walEnd)
    {
        lock (_samples)
        {
            if (_samples.Count > 0 && _samples[^1].WalEnd >= walEnd)
            {
                // The WAL did not move: the position was still the end at this later time.
                _samples[^1] = (at, _samples[^1].WalEnd);
                return;
            }

            _samples.Add((at, walEnd));
            if (_samples.Count > MaxSamples)
            {
                // Keeps the oldest (the anchor of a pipeline that is behind): the lag stays an upper bound.
                _samples.RemoveAt(1);
            }
        }
    }

    /// <summary>
    /// Seconds since the WAL last ended at or below <paramref name="applied"/>: 0 when it is at or beyond the latest
    /// sample's WAL end (caught up); from the oldest sample when no sample is that old (a lower bound).
    /// Forgets the samples the applied position has passed.
    /// </summary>
    public double LagSeconds(DateTimeOffset now, ulong applied)
    {
        lock (_samples)
        {
            if (_samples.Count == 0)
            {
                return 0;
            }

            if (applied >= _samples[^1].WalEnd)
            {
                _samples.RemoveRange(0, _samples.Count - 1);
                return 0;
            }

            var anchor = _samples.FindLastIndex(s => s.WalEnd <= applied);
            if (anchor > 0)
            {
                _samples.RemoveRange(0, anchor);
            }

            return Math.Max(0, (now - _samples[0].At).TotalSeconds);
        }
    }

    /// <summary>
    /// The sample <see cref="LagSeconds"/> counts from, what a restarted silo seeds from: the latest moment known to
    /// have had its WAL end at or below <paramref name="applied"/>, or else the oldest sample (the lower bound). The
    /// second case is not rare: the slot's confirmed position can stay a few bytes below the WAL end of an idle
    /// source, so a pipeline that is caught up may never pass a sample; its restarted silo must still carry on.
    /// Null before the first sample.
    /// </summary>
    public (DateTimeOffset At, ulong WalEnd)? Anchor(ulong applied)
    {
        lock (_samples)
        {
            return _samples.Count == 0 ? null : _samples[Math.Max(0, _samples.FindLastIndex(s => s.WalEnd <= applied))];
        }
    }
}
