namespace SentinelSync.Hosting;

/// <summary>
/// Console logs for people on a terminal (one line per entry) and JSON lines for collectors when stdout is
/// redirected (a file, a pipe, a container runtime), with UTC timestamps and the structured placeholders.
/// </summary>
internal static class ConsoleLogging
{
    public static ILoggingBuilder AddSentinelConsole(this ILoggingBuilder logging)
    {
        if (Console.IsOutputRedirected)
        {
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
        }

        return logging;
    }
}
