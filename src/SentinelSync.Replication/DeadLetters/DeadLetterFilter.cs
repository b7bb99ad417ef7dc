namespace SentinelSync.Replication.DeadLetters;

/// <summary>Which dead letters to list; null members match everything. Status defaults to pending.</summary>
public sealed record DeadLetterFilter(string? Pipeline = null, string? Sink = null, string? SourceTable = null, string? Status = "pending", int Limit = 100);
