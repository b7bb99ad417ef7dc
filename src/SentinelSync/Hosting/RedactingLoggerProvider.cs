using System.Collections;
using SentinelSync.Configuration;

namespace SentinelSync.Hosting;

/// <summary>
/// Wraps the console logger provider so that no entry carries a secret: the message, every structured value
/// and the exception text (with its inner exceptions and stack) go through <see cref="Redactor"/> before the
/// formatter sees them. Entries without a secret pass through unchanged.
/// </summary>
internal sealed class RedactingLoggerProvider(ILoggerProvider inner, Redactor redactor) : ILoggerProvider, ISupportExternalScope
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (inner is ISupportExternalScope scoped)
        {
            scoped.SetScopeProvider(scopeProvider);
        }
    }

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner, Redactor redactor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
            var exceptionText = exception?.ToString();
            if (!redactor.Finds(message) && !redactor.Finds(exceptionText) && (values is null || !values.Any(v => redactor.Finds(v.Value?.ToString()))))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            var redacted = new RedactedState(redactor.Redact(message)!, values?.Select(v => Redact(v)).ToList() ?? []);
            var redactedException = exception is null ? null : new RedactedException(exception, redactor);
            inner.Log(logLevel, eventId, redacted, redactedException, static (s, _) => s.Message);
        }

        private KeyValuePair<string, object?> Redact(KeyValuePair<string, object?> value) =>
            value.Value is null or bool or int or long or double or decimal or float or short or byte or uint or ulong or TimeSpan or DateTime or DateTimeOffset
                ? value
                : new(value.Key, redactor.Redact(value.Value.ToString()));
    }

    /// <summary>The state the formatter gets instead: the redacted values, and the redacted message as its text.</summary>
    private sealed class RedactedState(string message, IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;

        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }

    /// <summary>Stands in for an exception whose text holds a secret: same type name in the text, secrets masked.</summary>
    private sealed class RedactedException : Exception
    {
        private readonly string? _stackTrace;
        private readonly string _text;

        public RedactedException(Exception original, Redactor redactor)
            : base(redactor.Redact(original.Message))
        {
            _stackTrace = redactor.Redact(original.StackTrace);
            _text = redactor.Redact(original.ToString())!;
        }

        public override string? StackTrace => _stackTrace;

        public override string ToString() => _text;
    }
}
