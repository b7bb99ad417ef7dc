namespace SentinelSync.Hosting;

internal static partial class ReadyLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Silo ready {ElapsedMs} ms after the process started ({CpuMs} ms of CPU; {JitMethods} methods JIT-compiled in {JitMs} ms)")]
    private static partial void Ready(ILogger logger, long elapsedMs, long cpuMs, long jitMethods, long jitMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "GC: {Mode}; {Settings}")]
    private static partial void GcMode(ILogger logger, string mode, string settings);
}
