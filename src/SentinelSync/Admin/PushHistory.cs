using SentinelSync.Replication;

namespace SentinelSync.Admin;

/// <summary>
/// When a table's pushed position was first seen at each value (one entry per sample, kept ten minutes), to
/// turn a sink's applied position into a lag in seconds: the age of the oldest change it has not applied,
/// to within a sampling interval.
/// </summary>
internal sealed class PushHistory
{
    private static readonly TimeSpan s_keep = TimeSpan.FromMinutes(10);
    private readonly Queue<(DateTimeOffset At, Position Pushed)> _samples = new();

    public void Add(DateTimeOffset at, Position pushed)
    {
        lock (_samples)
        {
            if (_samples.Count == 0 || _samples.Last().Pushed != pushed)
            {
                _samples.Enqueue((at, pushed));
            }

            while (_samples.Count > 1 && at - _samples.Peek().At > s_keep)
            {
                _samples.Dequeue();
            }
        }
    }

    /// <summary>
    /// Seconds since the first change beyond <paramref name="applied"/> was seen pushed; 0 when nothing pushed is
    /// unapplied. Older than the history: the age of the oldest sample (a lower bound).
    /// </summary>
    public double LagSeconds(DateTimeOffset now, Position applied)
    {
        lock (_samples)
        {
            foreach (var (at, pushed) in _samples)
            {
                if (pushed > applied)
                {
                    return Math.Max(0, (now - at).TotalSeconds);
                }
            }

            return 0;
        }
    }
}
