using System.Diagnostics;

namespace SentinelSync.Testing;

/// <summary>
/// Waits for a condition with a deadline instead of sleeping for a guessed time. On timeout the
/// exception carries the caller's description: which phase, which grain, expected vs actual.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan _firstInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan _maxInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Polls <paramref name="condition"/> until it returns true, with a short interval that grows
    /// from 10 ms to 200 ms. Throws <see cref="TimeoutException"/> with <paramref name="describe"/>'s
    /// text when <paramref name="deadline"/> passes; exceptions from the condition propagate.
    /// </summary>
    public static async Task WaitAsync(
        Func<Task<bool>> condition,
        TimeSpan deadline,
        Func<string> describe,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describe);

        var elapsed = Stopwatch.StartNew();
        var interval = _firstInterval;
        var attempts = 0;
        while (true)
        {
            attempts++;
            if (await condition())
            {
                return;
            }

            if (elapsed.Elapsed >= deadline)
            {
                throw new TimeoutException(
                    $"Condition not met within {deadline.TotalSeconds:0.###} s ({attempts} checks): {describe()}");
            }

            // Polling interval, not synchronisation: the condition decides when we are done.
            var remaining = deadline - elapsed.Elapsed;
            var pause = remaining < interval ? remaining : interval;
            await Task.Delay(pause > TimeSpan.Zero ? pause : TimeSpan.Zero, cancellationToken);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, _maxInterval.Ticks));
        }
    }
}
