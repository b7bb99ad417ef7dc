namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>Exponential backoff with jitter: base × 2^attempt capped at max, then scaled by a random factor in [0.5, 1.5).</summary>
public static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, Random? random = null)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);
        var jitter = 0.5 + (random ?? Random.Shared).NextDouble();
        return TimeSpan.FromMilliseconds(capped * jitter);
    }
}
