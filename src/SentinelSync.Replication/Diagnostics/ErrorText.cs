namespace SentinelSync.Replication.Diagnostics;

/// <summary>
/// An exception as one line for operators: its type and message, then the messages of its inner exceptions. A
/// driver's outer message is often generic ("Exception while performing SSL handshake") while the inner one
/// says what to fix ("The remote certificate was rejected ...").
/// </summary>
public static class ErrorText
{
    public static string Describe(Exception error)
    {
        var text = $"{error.GetType().Name}: {error.Message}";
        for (var inner = error.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.Contains(inner.Message, StringComparison.Ordinal))
            {
                text += $" ({inner.Message})";
            }
        }

        return text;
    }
}
