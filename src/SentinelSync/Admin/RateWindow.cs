namespace SentinelSync.Admin;

/// <summary>
/// A per-second rate from a growing counter sampled over time (the last few seconds of samples). A counter
/// that goes down (a new grain activation counts from zero) starts the window again.
/// </summary>
internal sealed class RateWindow(TimeSpan span)
{
    private readonly Queue<(DateTimeOffset At, long Value)> _samples = new();

    public double Add(DateTimeOffset at, long value)
    {
        lock (_samples)
        {
            if (_samples.Count > 0 && value < _samples.Last().Value)
            {
                _samples.Clear();
            }

            _samples.Enqueue((at, value));
            while (_samples.Count > 2 && at - _samples.Peek().At > span)
            {
                _samples.Dequeue();
            }

            var (firstAt, firstValue) = _samples.Peek();
            var seconds = (at - firstAt).TotalSeconds;
            return seconds > 0.5 ? (value - firstValue) / seconds : 0;
        }
    }
}
