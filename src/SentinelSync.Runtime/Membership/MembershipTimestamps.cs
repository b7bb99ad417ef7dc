namespace SentinelSync.Runtime;

/// <summary>
/// Timestamps as the membership table stores them: UTC, whole microseconds (Postgres' <c>timestamptz</c>
/// precision). Every backend normalises through here so that a value read back equals the value written,
/// which the agent relies on to recognise its own incarnation (<see cref="MembershipEntry.StartedAt"/>).
/// </summary>
internal static class MembershipTimestamps
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>One step of the stored precision.</summary>
    public static TimeSpan Resolution { get; } = TimeSpan.FromTicks(TicksPerMicrosecond);

    /// <summary><paramref name="value"/> in UTC, truncated to whole microseconds.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var utcTicks = value.UtcTicks;
        return new DateTimeOffset(utcTicks - (utcTicks % TicksPerMicrosecond), TimeSpan.Zero);
    }

    /// <summary><paramref name="entry"/> with every timestamp normalised.</summary>
    public static MembershipEntry Normalize(MembershipEntry entry) => entry with
    {
        StartedAt = Normalize(entry.StartedAt),
        LastHeartbeat = Normalize(entry.LastHeartbeat),
        Suspicions = [.. entry.Suspicions.Select(v => v with { At = Normalize(v.At) })],
    };
}
