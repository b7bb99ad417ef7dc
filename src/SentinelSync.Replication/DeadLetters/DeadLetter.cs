namespace SentinelSync.Replication.DeadLetters;

/// <summary>
/// One dead-lettered change: where it was going, the change itself, and why it failed. <see cref="Transformed"/>:
/// the change is stored as the sink's transforms left it (masked values, excluded columns absent).
/// </summary>
public sealed record DeadLetter(
    long Id,
    string Pipeline,
    string Sink,
    string SourceTable,
    string RowKey,
    Position Position,
    RowChange Change,
    string ErrorType,
    string Error,
    int Attempts,
    DateTimeOffset FailedAt,
    string Status,
    bool Transformed);
