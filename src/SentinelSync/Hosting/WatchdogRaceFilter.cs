using System.Diagnostics;

namespace SentinelSync.Hosting;

/// <summary>
/// Drops one false warning of Orleans 10.4's watchdog. <c>Watchdog.Start</c> starts its platform thread before it
/// stamps the component check's start, so when that thread looks first it measures from timestamp zero and warns
/// that the "participant check thread has not completed" for as long as the machine has been up (17:54:29 on this
/// machine, in about 4 starts of 10), calling it possible lock contention or deadlock. A stall longer than the
/// process has run cannot be real: that entry is dropped. Real stalls, shorter than the process's life, still log.
/// </summary>
internal sealed class WatchdogRaceFilter(ILoggerProvider inner) : ILoggerProvider, ISupportExternalScope
{
    internal const string Category = "Orleans.Runtime.Watchdog";

    private static readonly DateTime s_processStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == Category ? new WatchdogLogger(logger) : logger;
    }

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (inner is ISupportExternalScope scoped)
        {
            scoped.SetScopeProvider(scopeProvider);
        }
    }

    public void Dispose() => inner.Dispose();

    /// <summary>Whether an entry reports a stall (<c>TimeSinceLastTick</c>) longer than this process has existed.</summary>
    internal static bool IsImpossibleStall<TState>(TState state) =>
        state is IReadOnlyList<KeyValuePair<string, object?>> values
        && values.Any(v => v is { Key: "TimeSinceLastTick", Value: TimeSpan stalled } && stalled > DateTime.UtcNow - s_processStarted);

    private sealed class WatchdogLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsImpossibleStall(state))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
