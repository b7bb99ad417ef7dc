using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Pipelines;

internal sealed partial class SourceRunner
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: {Warning}")]
    private static partial void LogWarning(ILogger logger, string pipeline, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: the snapshot was interrupted; restarting it (attempt {Attempt}) under a fresh snapshot, then streaming from the slot")]
    private static partial void LogSnapshotRestart(ILogger logger, string pipeline, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline}: replication slot {Slot} is gone although the pipeline read from it (it was created at {ConsistentPoint}): changes since its last confirmed position were not retained, so every table is copied again under a new slot (attempt {Attempt}), each destination table emptied first")]
    private static partial void LogSlotLost(ILogger logger, string pipeline, string slot, string consistentPoint, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: copied {Rows} rows of {Table}")]
    private static partial void LogTableCopied(ILogger logger, string pipeline, TableName table, long rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: snapshot completed (attempt {Attempt})")]
    private static partial void LogSnapshotCompleted(ILogger logger, string pipeline, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: stopping without waiting for a sink that retries against a failing destination; what it holds is streamed again from the slot")]
    private static partial void LogStopWithoutDrain(ILogger logger, string pipeline);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: streaming from slot {Slot}, {Tables} tables")]
    private static partial void LogStreaming(ILogger logger, string pipeline, string slot, int tables);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: resync of {Table} started (run {Id}); the destination table is emptied and refilled while streaming goes on")]
    private static partial void LogResyncStarted(ILogger logger, string pipeline, TableName table, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: the resync of {Table} was interrupted by a restart; starting it over")]
    private static partial void LogResyncRestarted(ILogger logger, string pipeline, TableName table);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: resync of {Table} done, {Rows} rows copied and applied by every sink")]
    private static partial void LogResyncDone(ILogger logger, string pipeline, TableName table, long rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline}: resync of {Table} failed")]
    private static partial void LogResyncFailed(ILogger logger, string pipeline, TableName table, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: repair of {Table} done: {Upserted} row(s) copied again, {Deleted} deleted")]
    private static partial void LogRepairDone(ILogger logger, string pipeline, TableName table, int upserted, int deleted);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline}: repair of {Table} failed")]
    private static partial void LogRepairFailed(ILogger logger, string pipeline, TableName table, Exception error);
}
