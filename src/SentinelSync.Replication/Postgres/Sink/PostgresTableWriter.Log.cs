using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Postgres;

internal sealed partial class PostgresTableWriter
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Table}: {Missing} of {Expected} updates with unchanged TOAST columns found no destination row; the destination has diverged from the source")]
    private static partial void LogPartialUpdatesMissed(ILogger logger, TableName table, int missing, int expected);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Table}: snapshot rows met keys already at the destination; this sink upserts them through its staging table from now on")]
    private static partial void LogDirectCopyConflicted(ILogger logger, TableName table);
}
