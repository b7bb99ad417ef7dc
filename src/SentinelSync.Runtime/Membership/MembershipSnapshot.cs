namespace SentinelSync.Runtime;

/// <summary>
/// All rows of the membership table as read in one consistent read, each with its ETag, and the table
/// version at that time.
/// </summary>
public sealed record MembershipSnapshot(IReadOnlyList<(MembershipEntry Entry, string Etag)> Rows, long Version);
