using Microsoft.Extensions.Logging;

namespace SentinelSync.Runtime;

/// <summary>Log messages of <see cref="MembershipAgent"/>.</summary>
public sealed partial class MembershipAgent
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} joined at {Address} as incarnation {StartedAt} (replaced a previous incarnation: {Replaced})")]
    private static partial void LogJoined(ILogger logger, string silo, string address, DateTimeOffset startedAt, bool replaced);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} moved from {From} to {To}")]
    private static partial void LogStatusChanged(ILogger logger, string silo, SiloStatus from, SiloStatus to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} left the cluster")]
    private static partial void LogLeft(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Silo {Silo} lost a membership table race ({Operation}); it re-reads the table")]
    private static partial void LogLostRace(ILogger logger, string silo, string operation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} sees {Count} active silos: {Silos}")]
    private static partial void LogViewChanged(ILogger logger, string silo, int count, string silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} suspects {Suspect}: {Votes} of {VotesNeeded} votes")]
    private static partial void LogVoted(ILogger logger, string silo, string suspect, int votes, int votesNeeded);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} declared {Suspect} dead with {Votes} of {VotesNeeded} votes")]
    private static partial void LogDeclaredOtherDead(ILogger logger, string silo, string suspect, int votes, int votesNeeded);

    [LoggerMessage(Level = LogLevel.Error, Message = "Silo {Silo} was declared dead or replaced (row status {RowStatus}, row incarnation {RowStartedAt}, ours {StartedAt}); it stops")]
    private static partial void LogDeclaredDead(ILogger logger, string silo, SiloStatus? rowStatus, DateTimeOffset? rowStartedAt, DateTimeOffset startedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} could not write its heartbeat")]
    private static partial void LogHeartbeatFailed(ILogger logger, string silo, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} could not probe the membership table")]
    private static partial void LogProbeFailed(ILogger logger, string silo, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Event} handler of silo {Silo} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string silo, string @event, Exception error);
}
