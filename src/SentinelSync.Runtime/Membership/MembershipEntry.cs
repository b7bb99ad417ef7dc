namespace SentinelSync.Runtime;

/// <summary>
/// One row of the membership table. <see cref="Address"/> is the silo-to-silo endpoint (<c>http://127.0.0.1:11111</c>).
/// <see cref="StartedAt"/> distinguishes incarnations of a silo name (a restarted silo is a new row version
/// with a later start time). <see cref="LastHeartbeat"/> is written by the silo itself on a timer.
/// </summary>
public sealed record MembershipEntry(
    string Name,
    string Address,
    DateTimeOffset StartedAt,
    SiloStatus Status,
    DateTimeOffset LastHeartbeat,
    IReadOnlyList<SuspicionVote> Suspicions);
