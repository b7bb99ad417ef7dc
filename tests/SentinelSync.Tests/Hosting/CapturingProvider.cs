using Microsoft.Extensions.Logging;

namespace SentinelSync.Tests.Hosting;

/// <summary>A logger provider that keeps what reaches it: the formatted message, the structured state, the exception.</summary>
internal sealed class CapturingProvider : ILoggerProvider, ILogger
{
    public List<Entry> Entries { get; } = [];

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add(new Entry(formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>> ?? [], state?.ToString(), exception));

    public void Dispose()
    {
    }

    internal sealed record Entry(string Message, IReadOnlyList<KeyValuePair<string, object?>> State, string? StateText, Exception? Exception);
}
