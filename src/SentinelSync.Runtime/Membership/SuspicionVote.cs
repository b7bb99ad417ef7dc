namespace SentinelSync.Runtime;

/// <summary>One silo's vote that another silo is dead, with the time it was cast; votes older than the vote expiration are ignored.</summary>
public sealed record SuspicionVote(string Voter, DateTimeOffset At);
