using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Postgres;

public sealed partial class PostgresChangeStream
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Streaming from slot {Slot} at {StartLsn} (0 = the slot's confirmed position)")]
    private static partial void LogStarting(ILogger logger, string slot, ulong startLsn);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Slot {Slot} confirmed through {Lsn}")]
    private static partial void LogConfirmed(ILogger logger, string slot, string lsn);

    private void LogStarting(string slot, ulong startLsn) => LogStarting(_logger, slot, startLsn);

    private void LogConfirmed(string slot, string lsn) => LogConfirmed(_logger, slot, lsn);
}
