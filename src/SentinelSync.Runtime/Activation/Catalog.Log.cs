using Microsoft.Extensions.Logging;

namespace SentinelSync.Runtime;

internal sealed partial class Catalog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Activated {GrainId} with epoch {Epoch}")]
    private static partial void LogActivated(ILogger logger, GrainId grainId, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activation of {GrainId} failed")]
    private static partial void LogActivationFailed(ILogger logger, GrainId grainId, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deactivated {GrainId} ({Reason})")]
    private static partial void LogDeactivated(ILogger logger, GrainId grainId, DeactivationReason reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "OnDeactivateAsync of {GrainId} failed")]
    private static partial void LogDeactivationFailed(ILogger logger, GrainId grainId, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer of {GrainId} failed")]
    private static partial void LogTimerFailed(ILogger logger, GrainId grainId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the lease of {GrainId} failed; the next activation takes it over")]
    private static partial void LogLeaseReleaseFailed(ILogger logger, GrainId grainId, Exception error);

    internal void LogActivated(GrainId grainId, long epoch) => LogActivated(_logger, grainId, epoch);

    internal void LogActivationFailed(GrainId grainId, Exception error) => LogActivationFailed(_logger, grainId, error);

    internal void LogDeactivated(GrainId grainId, DeactivationReason reason) => LogDeactivated(_logger, grainId, reason);

    internal void LogDeactivationFailed(GrainId grainId, Exception error) => LogDeactivationFailed(_logger, grainId, error);

    internal void LogTimerFailed(GrainId grainId, Exception error) => LogTimerFailed(_logger, grainId, error);

    internal void LogLeaseReleaseFailed(GrainId grainId, Exception error) => LogLeaseReleaseFailed(_logger, grainId, error);
}
