namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>A CQL time: nanoseconds since midnight (0 to 86,399,999,999,999); TimeOnly would cut it to 100 ns.</summary>
public readonly record struct CqlTime(long Nanoseconds)
{
    public const long NanosecondsPerDay = 86_400_000_000_000L;

    public static CqlTime FromTimeOnly(TimeOnly time) => new(time.Ticks * 100);
}
