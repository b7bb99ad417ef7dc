using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Grains;

public sealed partial class SinkGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Sink {GrainId}: attempt {Attempt} failed, retrying: {Error}")]
    private static partial void LogTransient(ILogger logger, string grainId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sink {GrainId}: change at {Position} dead-lettered: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string grainId, Position position, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sink {GrainId} failed and deactivates; its queue is streamed again from the slot")]
    private static partial void LogWorkerFailed(ILogger logger, string grainId, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sink {GrainId}: the sink's transform is refused (attempt {Attempt}); nothing of this table goes to this sink until it is fixed: {Error}")]
    private static partial void LogTransformRefused(ILogger logger, string grainId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sink {GrainId} was fenced and stops: {Error}")]
    private static partial void LogFenced(ILogger logger, string grainId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sink {GrainId}: copied snapshot rows {From} to {Through} failed and are applied row by row instead: {Error}")]
    private static partial void LogCopyFailed(ILogger logger, string grainId, Position from, Position through, string error);

    // The key itself is personal data: it is never logged.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Sink {GrainId}: erasure of one row: {Removed} removed at the destination (-1: none), {DeadLetters} dead letter(s) deleted: {Result}")]
    private static partial void LogErased(ILogger logger, string grainId, long removed, int deadLetters, string result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sink {GrainId}: {Streams} streams applied in one transaction failed; applying them one by one instead: {Error}")]
    private static partial void LogStreamsFailed(ILogger logger, string grainId, int streams, string error);
}
